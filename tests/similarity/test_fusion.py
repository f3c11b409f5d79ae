import pytest

from claims.similarity.fusion import normalise_scores, reciprocal_rank_fusion, weighted_score_fusion


def test_it_sums_reciprocal_ranks_across_methods():
    fused = dict(reciprocal_rank_fusion({"dense": ["a", "b", "c"], "bm25": ["b", "d"]}, k=60))

    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["c"] == pytest.approx(1 / 63)
    assert fused["d"] == pytest.approx(1 / 62)


def test_it_ranks_a_document_both_methods_agree_on_above_single_method_winners():
    ranking = reciprocal_rank_fusion({"dense": ["a", "b", "c"], "bm25": ["d", "b", "e"]}, k=60)

    assert ranking[0][0] == "b"


def test_it_weights_methods_in_rank_fusion_and_ignores_unweighted_ones():
    ranking = reciprocal_rank_fusion(
        {"dense": ["a", "b"], "bm25": ["b", "a"], "other": ["z"]}, k=0, weights={"dense": 2.0, "bm25": 1.0}
    )

    assert ranking == [("a", pytest.approx(2 / 1 + 1 / 2)), ("b", pytest.approx(2 / 2 + 1 / 1))]


def test_it_breaks_ties_by_id_so_rankings_are_reproducible():
    ranking = reciprocal_rank_fusion({"dense": ["b", "a"], "bm25": ["a", "b"]}, k=60)

    assert [document_id for document_id, _ in ranking] == ["a", "b"]


def test_it_normalises_by_the_best_score_or_onto_the_unit_interval():
    scores = {"a": 8.0, "b": 4.0, "c": 2.0}

    assert normalise_scores(scores, method="max") == {"a": 1.0, "b": 0.5, "c": 0.25}
    assert normalise_scores(scores, method="minmax") == {"a": 1.0, "b": pytest.approx(1 / 3), "c": 0.0}
    assert normalise_scores(scores, method="none") == scores
    assert normalise_scores({"a": 0.0, "b": 0.0}, method="max") == {"a": 0.0, "b": 0.0}


def test_it_adds_weighted_normalised_scores():
    ranking = weighted_score_fusion(
        {"dense": {"a": 0.9, "b": 0.8}, "bm25": {"a": 2.0, "b": 10.0}},
        weights={"dense": 1.0, "bm25": 0.3},
        normalisation={"bm25": "max"},
    )

    assert ranking == [("b", pytest.approx(0.8 + 0.3 * 1.0)), ("a", pytest.approx(0.9 + 0.3 * 0.2))]


def test_it_keeps_documents_only_one_method_scored():
    ranking = dict(weighted_score_fusion({"dense": {"a": 0.5}, "bm25": {"b": 3.0}}, weights={"dense": 1.0}))

    assert ranking == {"a": 0.5, "b": 0.0}


def test_it_rejects_an_unknown_normalisation():
    with pytest.raises(ValueError):
        normalise_scores({"a": 1.0}, method="softmax")
