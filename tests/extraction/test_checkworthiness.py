import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from claims.extraction.checkworthiness import WEIGHTS_DIR, OnnxScorer, file_digest, get_scorer, read_manifest

PROJECT_DIR = Path(__file__).resolve().parents[2]
SENTENCES = [
    "Unemployment fell to 3.5 percent, the lowest rate in fifty years.",
    "Thank you, it is good to be here tonight.",
    "We have cut taxes for 90 percent of working families since 2017.",
    "I hope everyone has a wonderful evening.",
    "The deficit tripled under the last administration.",
]
# What the shipped int8 model scores these (and SENTENCES); a changed model file, tokenizer or
# runtime shows here first. The tolerance allows for int8 kernels of other processors: pinned on an
# AVX-512 VNNI machine, an AVX2-only one scores the two borderline sentences 0.06 and 0.03 higher.
BORDERLINE = [
    "Our opponent has no plan for the economy.",
    "Many people are saying the election was rigged.",
    "The new bridge will open next spring.",
    "I was the first in my family to go to college.",
]
PINNED_SCORES = [0.9989, 0.0005, 0.9967, 0.0005, 0.9983, 0.2232, 0.6361, 0.0647, 0.0235]


@pytest.fixture(scope="module")
def int8_scorer() -> OnnxScorer:
    return OnnxScorer(threads=1)


def test_it_scores_the_reference_sentences_as_pinned(int8_scorer: OnnxScorer) -> None:
    scores = int8_scorer.score(SENTENCES + BORDERLINE)
    np.testing.assert_allclose(scores, PINNED_SCORES, atol=0.08)
    # Whatever the processor, every sentence lands on the side of the threshold it was pinned on.
    pinned_sides = [score >= int8_scorer.threshold for score in PINNED_SCORES]
    assert [bool(score >= int8_scorer.threshold) for score in scores] == pinned_sides


def test_it_scores_sentences_between_zero_and_one(int8_scorer: OnnxScorer) -> None:
    scores = int8_scorer.score(SENTENCES)
    assert scores.shape == (len(SENTENCES),)
    assert np.all((scores >= 0) & (scores <= 1))
    assert int8_scorer.score([]).shape == (0,)


def test_it_scores_factual_claims_above_pleasantries(int8_scorer: OnnxScorer) -> None:
    scores = int8_scorer.score(SENTENCES)
    assert min(scores[0], scores[2], scores[4]) > max(scores[1], scores[3])
    assert scores[0] >= int8_scorer.threshold > scores[1]


def test_it_scores_a_sentence_the_same_whatever_it_is_scored_with(int8_scorer: OnnxScorer) -> None:
    # A sentence's score must not depend on the article it arrives in. Dynamic int8 quantisation
    # scales activations per run, so batching would let the other sentences move it.
    neighbours = ["Yes.", "The committee met on Tuesday. " * 8, *SENTENCES[::-1]]
    alone = np.array([int8_scorer.score([sentence])[0] for sentence in SENTENCES])
    np.testing.assert_array_equal(int8_scorer.score(SENTENCES), alone)
    np.testing.assert_array_equal(int8_scorer.score(neighbours + SENTENCES)[len(neighbours) :], alone)


def test_the_shipped_model_is_the_file_its_manifest_describes(int8_scorer: OnnxScorer) -> None:
    manifest = read_manifest()
    assert manifest["variant"] == "int8"
    assert file_digest(WEIGHTS_DIR / manifest["model_file"]) == manifest["model_sha256"]
    assert int8_scorer.threshold == manifest["threshold"]
    assert int8_scorer.model_version == f"checkworthiness-{manifest['weights_sha256'][:16]}-int8"


def test_it_returns_one_scorer_per_process_and_folder() -> None:
    first = get_scorer()
    assert get_scorer() is first


def test_it_loads_offline_without_torch() -> None:
    script = (
        "import sys\n"
        "from claims.extraction.checkworthiness import get_scorer\n"
        "scores = get_scorer().score(['Taxes rose by 5 percent.'])\n"
        "print(float(scores[0]) > 0, 'torch' in sys.modules, 'transformers' in sys.modules)\n"
    )
    environment = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_DIR, env=environment, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["True", "False", "False"]


def test_the_manifest_is_plain_json_next_to_the_model() -> None:
    manifest = json.loads((WEIGHTS_DIR / "manifest.json").read_text(encoding="utf-8"))
    assert (WEIGHTS_DIR / manifest["model_file"]).suffix == ".onnx"
