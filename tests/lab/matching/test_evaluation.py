import importlib.util
import json
import random
import subprocess
import sys

import pytest

from claims.similarity.lexical import BM25Index
from lab.matching.evaluation import (
    RetrievalQuery,
    load_queries,
    load_verified_claims,
    score_rankings,
    write_trec_run,
)


@pytest.fixture(scope="module")
def reference_scorer(shared_data_dir):
    spec = importlib.util.spec_from_file_location("eval_retrieval", shared_data_dir / "scripts" / "eval_retrieval.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def reference_scores(reference_scorer, queries, rankings):
    rows = [{"query_id": query.query_id, "relevant_vclaim_ids": sorted(query.relevant_ids)} for query in queries]
    return reference_scorer.score_rankings(rows, rankings)


def assert_same_as_reference(ours, reference):
    assert ours.as_dict() == {
        "map@5": reference["MAP@5"],
        "mrr": reference["MRR"],
        "recall@5": reference["Recall@5"],
        "n_queries": reference["n_queries"],
    }


def test_it_scores_a_bm25_run_exactly_as_the_reference_scorer(shared_data_dir, reference_scorer):
    data_dir = shared_data_dir / "claim_retrieval" / "clef2020_task2_en"
    queries = load_queries(data_dir=data_dir, split="test")[:60]
    claims = load_verified_claims(data_dir=data_dir)
    index = BM25Index(ids=[claim.vclaim_id for claim in claims], texts=[claim.document_text for claim in claims])
    rankings = {query.query_id: [doc_id for doc_id, _ in index.search(query.text, 20)] for query in queries}

    ours = score_rankings(queries=queries, rankings=rankings)

    assert_same_as_reference(ours, reference_scores(reference_scorer, queries, rankings))
    assert 0.3 < ours.map_at_5 < 1.0


def test_it_scores_hits_at_every_rank_misses_and_several_relevant_claims_as_the_reference(reference_scorer):
    rng = random.Random(7)
    documents = [f"d{number}" for number in range(40)]
    queries, rankings = [], {}
    for number in range(200):
        relevant = frozenset(rng.sample(documents, rng.choice([1, 1, 1, 2, 3])))
        queries.append(RetrievalQuery(query_id=f"q{number}", text="", relevant_ids=relevant, official_split="test"))
        if number % 17 != 0:  # some queries get no ranking at all and score zero
            rankings[f"q{number}"] = rng.sample(documents, rng.choice([3, 5, 10, 40]))

    ours = score_rankings(queries=queries, rankings=rankings)

    assert_same_as_reference(ours, reference_scores(reference_scorer, queries, rankings))


def test_it_computes_average_precision_over_all_relevant_claims():
    query = RetrievalQuery(query_id="q", text="", relevant_ids=frozenset({"a", "b"}), official_split="test")

    scores = score_rankings(queries=[query], rankings={"q": ["x", "a", "y", "b"]})

    assert scores.map_at_5 == pytest.approx((1 / 2 + 2 / 4) / 2)
    assert scores.mrr == pytest.approx(1 / 2)
    assert scores.recall_at_5 == 1.0


def test_a_written_run_file_scores_the_same_in_the_reference_scorer(shared_data_dir, reference_scorer, tmp_path):
    data_dir = shared_data_dir / "claim_retrieval" / "clef2020_task2_en"
    queries = load_queries(data_dir=data_dir, split="test")
    rng = random.Random(3)
    documents = [claim.vclaim_id for claim in load_verified_claims(data_dir=data_dir)[:50]]
    rankings = {}
    for query in queries:
        ranking = rng.sample(documents, 8)
        ranking.insert(rng.randrange(0, 9), sorted(query.relevant_ids)[0])
        rankings[query.query_id] = ranking
    run_file = tmp_path / "run.tsv"

    write_trec_run(rankings, run_file, tag="test")
    output = subprocess.run(
        [
            sys.executable,
            str(shared_data_dir / "scripts" / "eval_retrieval.py"),
            "score",
            str(data_dir),
            "test",
            str(run_file),
        ],
        capture_output=True,
        text=True,
        check=True,
    )

    reference = json.loads(output.stdout)["results"]["all"]
    assert_same_as_reference(score_rankings(queries=queries, rankings=rankings), reference)


def test_it_reads_a_benchmark_folder(tmp_path):
    (tmp_path / "vclaims.jsonl").write_text(
        json.dumps({"vclaim_id": "7", "vclaim": "Claim.", "title": "Headline"}) + "\n", encoding="utf-8"
    )
    (tmp_path / "dev.jsonl").write_text(
        json.dumps({"query_id": "1", "query_text": "Post", "relevant_vclaim_ids": ["7"], "official_split": "train"})
        + "\n",
        encoding="utf-8",
    )

    [claim] = load_verified_claims(data_dir=tmp_path)
    [query] = load_queries(data_dir=tmp_path, split="dev")

    assert claim.document_text == "Headline. Claim."
    assert query.relevant_ids == frozenset({"7"})
