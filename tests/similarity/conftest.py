"""Fixtures for the similarity engine: the real packaged encoder, exported once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from claims.similarity.embedder import OnnxEmbedder, TorchEmbedder
from claims.similarity.onnx_export import load_agreement_sentences
from claims.similarity.passages import split_sentence_spans

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SEED_ARTICLE = PROJECT_ROOT / "fixtures" / "seed_article.txt"


@pytest.fixture(scope="session")
def shared_data_dir() -> Path:
    """The benchmark folder (`data/` of the shared evaluation set); WORKBENCH_DATA_DIR moves it."""
    data_dir = Path(os.environ.get("WORKBENCH_DATA_DIR", "/work/shared/data"))
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
