"""The shipped ONNX file is what `build_checkworthiness_onnx` makes of the trained weights."""

import json
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command

from claims.extraction.checkworthiness import OnnxScorer, file_digest, read_manifest
from lab.checkworthiness.export import TRAINED_WEIGHTS_DIR, TorchScorer, build_scorer

SENTENCES = [
    "Unemployment fell to 3.5 percent, the lowest rate in fifty years.",
    "Thank you, it is good to be here tonight.",
    "Our opponent has no plan for the economy.",
    "Many people are saying the election was rigged.",
    "The new bridge will open next spring.",
]


def test_the_shipped_model_was_built_from_the_trained_weights() -> None:
    assert read_manifest()["weights_sha256"] == file_digest(TRAINED_WEIGHTS_DIR / "checkworthiness.safetensors")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("built")
    call_command("build_checkworthiness_onnx", output=folder, stdout=StringIO())
    return folder


def test_building_again_gives_the_shipped_scores_and_manifest(built: Path) -> None:
    shipped = read_manifest()
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    assert {key: manifest[key] for key in ("variant", "threshold", "max_length", "weights_sha256")} == {
        key: shipped[key] for key in ("variant", "threshold", "max_length", "weights_sha256")
    }
    np.testing.assert_allclose(OnnxScorer(folder=built).score(SENTENCES), OnnxScorer().score(SENTENCES), atol=1e-4)


def test_the_exports_agree_with_the_reference_network() -> None:
    reference = TorchScorer(threads=1).score(SENTENCES)
    np.testing.assert_allclose(build_scorer(variant="fp32").score(SENTENCES), reference, atol=1e-4)
    # int8 moves scores, and more on processors without VNNI (u8s8 products can saturate on AVX2):
    # "Our opponent has no plan for the economy." scores 0.135 in fp32, 0.22 with VNNI, 0.28 without.
    np.testing.assert_allclose(OnnxScorer().score(SENTENCES), reference, atol=0.2)
