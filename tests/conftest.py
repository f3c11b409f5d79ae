"""Personas and shared fixtures. Most tests go through services and the HTTP API as one of these people.

Tests that need committed transactions (jobs queued on commit, threads, a worker process) use
``django_db(transaction=True, serialized_rollback=True)``: a plain flush would delete the rating
scale and roles that the migrations seed, and a later test would miss them.
"""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import pytest

from claims.similarity.embedder import OnnxEmbedder, TorchEmbedder
from claims.similarity.onnx_export import load_agreement_sentences
from claims.similarity.passages import split_sentence_spans
from lab.data import shared_data_dir as lab_shared_data_dir
from tests.factories import UserFactory

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SEED_ARTICLE = PROJECT_ROOT / "fixtures" / "seed_article.txt"


class NonLoopbackConnectionRefused(OSError):
    pass


def _refuse_non_loopback(connect):
    def guarded(self, address, *args, **kwargs):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]
            try:
                loopback = ipaddress.ip_address(host.split("%")[0]).is_loopback
            except ValueError:
                loopback = host == "localhost"
            if not loopback:
                raise NonLoopbackConnectionRefused(f"Tests never reach a non-loopback address (tried {address!r}).")
        return connect(self, address, *args, **kwargs)

    return guarded


def pytest_configure(config):
    # Every connection this test process opens (HTTP fetches, PostgreSQL, Redis) stays on this machine.
    socket.socket.connect = _refuse_non_loopback(socket.socket.connect)
    socket.socket.connect_ex = _refuse_non_loopback(socket.socket.connect_ex)


@pytest.fixture
def reviewer(db):
    return UserFactory(username="rita_reviewer", roles=["reviewer"])


@pytest.fixture
def second_reviewer(db):
    return UserFactory(username="rafael_reviewer", roles=["reviewer"])


@pytest.fixture
def editor(db):
    return UserFactory(username="emma_editor", roles=["editor"])


@pytest.fixture
def second_editor(db):
    return UserFactory(username="eli_editor", roles=["editor"])


@pytest.fixture
def admin_user(db):
    return UserFactory(username="ada_admin", roles=["admin"])


@pytest.fixture
def outsider(db):
    """Logged in, but in no role: may read only what is published."""
    return UserFactory(username="oscar_outsider")


# The similarity engine's real packaged encoder, exported once per test session.


@pytest.fixture(scope="session")
def shared_data_dir() -> Path:
    """The benchmark folder (`data/` of the shared evaluation set); WORKBENCH_DATA_DIR moves it."""
    data_dir = lab_shared_data_dir()
    assert (data_dir / "scripts" / "eval_retrieval.py").exists(), (
        f"The evaluation data are not at {data_dir}; set WORKBENCH_DATA_DIR to the folder holding scripts/ "
        "and claim_retrieval/."
    )
    return data_dir


@pytest.fixture(scope="session")
def real_sentences() -> list[str]:
    """News sentences (the seed article) and claim-like sentences, about eighty in all."""
    text = SEED_ARTICLE.read_text(encoding="utf-8")
    article_sentences = [text[start:end] for start, end in split_sentence_spans(text)]
    return article_sentences + load_agreement_sentences()


@pytest.fixture(scope="session")
def torch_embedder() -> TorchEmbedder:
    return TorchEmbedder(threads=1)


@pytest.fixture(scope="session")
def onnx_embedder(tmp_path_factory: pytest.TempPathFactory) -> OnnxEmbedder:
    return OnnxEmbedder.from_packaged_model(model_dir=tmp_path_factory.mktemp("models"), threads=1)
