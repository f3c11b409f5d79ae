"""The service-path evaluation: benchmark claims as library passages, queries through the suggestion job."""

import json

import pytest

from claims.errors import InvalidInputError
from claims.models import Claim, Suggestion
from claims.similarity.embedder import get_embedder
from claims.similarity.retrieval import DENSE_METHOD
from lab.matching.evaluation import run_retrieval_benchmark
from lab.matching.through_service import matching_evaluate_through_service

VCLAIMS = [
    ("draft", "Army Draft Texts", "The U.S. Army is texting people about a military draft."),
    ("anaconda", "Giant Anaconda", "A video shows a 10-meter-long anaconda in Brazil."),
    ("gaga", "Lady Gaga Oreos", "Oreo released Lady Gaga cookies."),
    ("sharks", "Sharks on a Highway", "A photo shows sharks swimming on a flooded highway after a hurricane."),
    ("vaccine", "Vaccine Trial Size", "The vaccine was tested on fewer than a hundred people."),
    ("budget", "Library Budget", "The city council cut the budget for public libraries by half."),
]
QUERIES = [
    ("1", "Army draft texts are fake pic.twitter.com/x", "draft"),
    ("2", "Huge anaconda filmed in a Brazil river!", "anaconda"),
    ("3", "OREO x LADY GAGA packs drop today", "gaga"),
    ("4", "Sharks swimming down the interstate after the storm, unbelievable", "sharks"),
    ("5", "They only tested that vaccine on 90 people!!", "vaccine"),
]


@pytest.fixture
def folder(tmp_path):
    vclaims = [{"vclaim_id": i, "title": title, "vclaim": claim} for i, title, claim in VCLAIMS]
    queries = [
        {"query_id": i, "query_text": text, "relevant_vclaim_ids": [relevant], "official_split": "dev"}
        for i, text, relevant in QUERIES
    ]
    (tmp_path / "vclaims.jsonl").write_text("\n".join(json.dumps(row) for row in vclaims), encoding="utf-8")
    (tmp_path / "dev.jsonl").write_text("\n".join(json.dumps(row) for row in queries), encoding="utf-8")
    return tmp_path


@pytest.mark.django_db
def test_the_suggestion_job_ranks_as_the_evaluated_retriever_does(folder):
    through_service = matching_evaluate_through_service(data_dir=folder, split="dev")
    in_memory = run_retrieval_benchmark(data_dir=folder, split="dev", embedders={DENSE_METHOD: get_embedder()})

    assert through_service.scores.map_at_5 == 1.0
    for query_id, suggested in through_service.rankings.items():
        # The job keeps the best few above the suggest thresholds: a prefix of the full ranking.
        assert suggested, f"query {query_id} got no suggestion"
        assert suggested == in_memory.rankings[query_id][: len(suggested)]
    assert Suggestion.objects.filter(claim__text=QUERIES[0][1]).count() == len(through_service.rankings["1"])


@pytest.mark.django_db
def test_it_refuses_a_database_that_holds_claims(folder):
    Claim.objects.create(text="A claim someone is working on.")

    with pytest.raises(InvalidInputError, match="empty database"):
        matching_evaluate_through_service(data_dir=folder, split="dev")
