import json

import numpy as np
import pytest

from claims.similarity.embedder import load_encoder, packaged_model_path
from lab.matching.evaluation import RetrievalQuery, VerifiedClaim
from lab.matching.training import (
    TrainingConfig,
    TrainingPair,
    build_training_pairs,
    export_encoder_to_onnx,
    fine_tune_encoder,
    pick_hard_negative,
)

PAIRS = [
    TrainingPair(query="zorblax wins the vote", positive_id="a", positive="Senate passes the budget bill."),
    TrainingPair(query="quintor flooded again", positive_id="b", positive="Heavy rain causes river to burst banks."),
    TrainingPair(query="the vexil moon landing", positive_id="c", positive="A photo shows astronauts on the moon."),
    TrainingPair(query="plimbo tax for cats", positive_id="d", positive="A new law taxes pet owners."),
]


def test_it_picks_the_best_ranked_wrong_claim_as_hard_negative():
    assert pick_hard_negative(ranked_ids=["a", "b", "c"], relevant_ids=frozenset({"a"})) == "b"
    assert pick_hard_negative(ranked_ids=["a", "b", "c"], relevant_ids=frozenset({"a"}), skip_top=1) == "c"
    assert pick_hard_negative(ranked_ids=["a"], relevant_ids=frozenset({"a"})) is None


def test_it_builds_one_cleaned_pair_per_relevant_claim():
    query = RetrievalQuery(
        query_id="q1",
        text="Look https://t.co/x — Jo (@jo) May 1, 2020",
        relevant_ids=frozenset({"v1", "v2"}),
        official_split="train",
    )
    claims = [VerifiedClaim(vclaim_id=name, claim=f"Claim {name}.", title="") for name in ("v1", "v2", "v3")]

    pairs = build_training_pairs(queries=[query], claims=claims, hard_negative_rankings={"q1": ["v1", "v3", "v2"]})

    assert [(pair.query, pair.positive_id, pair.hard_negative_id) for pair in pairs] == [
        ("Look — Jo", "v1", "v3"),
        ("Look — Jo", "v2", "v3"),
    ]
    assert pairs[0].positive == "Claim v1." and pairs[0].hard_negative == "Claim v3."


@pytest.fixture(scope="module")
def trained_encoder_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fine-tuned")
    config = TrainingConfig(epochs=3, batch_size=4, learning_rate=1e-4, warmup_fraction=0.0, threads=1)
    fine_tune_encoder(pairs=PAIRS, base_model_path=packaged_model_path(), output_dir=folder / "torch", config=config)
    export_encoder_to_onnx(model_dir=folder / "torch", onnx_path=folder / "onnx" / "model.onnx")
    (folder / "onnx" / "manifest.json").write_text(
        json.dumps({"model_name": "all-MiniLM-L6-v2-test", "model_file": "model.onnx", "variant": "int8"}),
        encoding="utf-8",
    )
    return folder


def pair_similarities(embedder) -> np.ndarray:
    queries = embedder.encode([pair.query for pair in PAIRS])
    positives = embedder.encode([pair.positive for pair in PAIRS])
    return queries @ positives.T


def test_fine_tuning_pulls_each_query_towards_its_own_claim(trained_encoder_folder, onnx_embedder):
    before = pair_similarities(onnx_embedder)
    after = pair_similarities(load_encoder(trained_encoder_folder / "onnx", threads=1))

    assert np.all(np.diag(after) > np.diag(before))
    assert np.diag(after).mean() - np.diag(before).mean() > 0.1
    assert list(after.argmax(axis=1)) == [0, 1, 2, 3]


def test_a_fine_tuned_encoder_carries_its_own_model_version(trained_encoder_folder):
    encoder = load_encoder(trained_encoder_folder / "onnx", threads=1)

    assert encoder.model_version.endswith("/all-MiniLM-L6-v2-test/onnx-int8")
    assert np.linalg.norm(encoder.encode(["A sentence."]), axis=1) == pytest.approx([1.0], abs=1e-5)
    assert (trained_encoder_folder / "onnx" / "model.onnx").stat().st_size < 25_000_000
