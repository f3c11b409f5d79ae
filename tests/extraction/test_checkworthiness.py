import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from claims.extraction import checkworthiness
from claims.extraction.checkworthiness import OnnxScorer, get_scorer

PROJECT_DIR = Path(__file__).resolve().parents[2]
SENTENCES = [
    "Unemployment fell to 3.5 percent, the lowest rate in fifty years.",
    "Thank you, it is good to be here tonight.",
    "We have cut taxes for 90 percent of working families since 2017.",
    "I hope everyone has a wonderful evening.",
    "The deficit tripled under the last administration.",
]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def int8_scorer(model_dir: Path) -> OnnxScorer:
    return OnnxScorer(model_dir=model_dir, quantized=True, threads=1)


def test_it_scores_sentences_between_zero_and_one(int8_scorer: OnnxScorer) -> None:
    scores = int8_scorer.score(SENTENCES)
    assert scores.shape == (len(SENTENCES),)
    assert np.all((scores >= 0) & (scores <= 1))
    assert int8_scorer.score([]).shape == (0,)


def test_it_scores_factual_claims_above_pleasantries(int8_scorer: OnnxScorer) -> None:
    scores = int8_scorer.score(SENTENCES)
    assert min(scores[0], scores[2], scores[4]) > max(scores[1], scores[3])
    assert scores[0] >= int8_scorer.threshold > scores[1]


def test_it_scores_a_sentence_the_same_whatever_it_is_scored_with(int8_scorer: OnnxScorer, model_dir: Path) -> None:
    # A sentence's score must not depend on the article it arrives in. Dynamic int8 quantisation
    # scales activations per run, so batching would let the other sentences move it.
    neighbours = ["Yes.", "The committee met on Tuesday. " * 8, *SENTENCES[::-1]]
    alone = np.array([int8_scorer.score([sentence])[0] for sentence in SENTENCES])
    np.testing.assert_array_equal(int8_scorer.score(SENTENCES), alone)
    np.testing.assert_array_equal(int8_scorer.score(neighbours + SENTENCES)[len(neighbours) :], alone)
    fp32 = OnnxScorer(model_dir=model_dir, quantized=False, threads=1)
    np.testing.assert_allclose([fp32.score([sentence])[0] for sentence in SENTENCES], fp32.score(SENTENCES), atol=1e-5)


def test_its_exports_agree_with_the_reference_network(int8_scorer: OnnxScorer, model_dir: Path) -> None:
    reference = checkworthiness.TorchScorer(threads=1).score(SENTENCES)
    fp32 = OnnxScorer(model_dir=model_dir, quantized=False, threads=1).score(SENTENCES)
    np.testing.assert_allclose(fp32, reference, atol=1e-4)
    np.testing.assert_allclose(int8_scorer.score(SENTENCES), reference, atol=0.1)


def test_it_caches_the_export_under_a_name_tied_to_the_weights(int8_scorer: OnnxScorer, model_dir: Path) -> None:
    digest = checkworthiness.weights_digest()
    assert (model_dir / f"checkworthiness-{digest}-int8.onnx").exists()
    assert int8_scorer.model_version == f"checkworthiness-{digest}-int8"


def test_it_returns_one_scorer_per_process_and_backend(model_dir: Path) -> None:
    first = get_scorer(backend="onnx", model_dir=model_dir)
    assert get_scorer(backend="onnx", model_dir=model_dir) is first


def test_it_loads_offline_without_torch_once_exported(int8_scorer: OnnxScorer, model_dir: Path) -> None:
    script = (
        "import sys, time; started = time.perf_counter()\n"
        "from claims.extraction.checkworthiness import get_scorer\n"
        f"scorer = get_scorer(model_dir=__import__('pathlib').Path({str(model_dir)!r}))\n"
        "scorer.score(['Taxes rose by 5 percent.'])\n"
        "print(round(time.perf_counter() - started, 2), 'torch' in sys.modules)\n"
    )
    environment = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "CHECKWORTHINESS_BACKEND": "onnx"}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_DIR, env=environment, capture_output=True, text=True, check=True
    )
    seconds, torch_imported = result.stdout.split()
    assert torch_imported == "False"
    assert float(seconds) < 10
