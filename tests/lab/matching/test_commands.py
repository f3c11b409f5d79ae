import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

VCLAIMS = [
    {
        "vclaim_id": "draft",
        "vclaim": "The U.S. Army is texting people about a military draft.",
        "title": "Army Draft Texts",
    },
    {"vclaim_id": "anaconda", "vclaim": "A video shows a 10-meter-long anaconda in Brazil.", "title": "Giant Anaconda"},
    {"vclaim_id": "gaga", "vclaim": "Oreo released Lady Gaga cookies.", "title": "Lady Gaga Oreos"},
]
QUERIES = [
    {"query_id": "1", "query_text": "Army draft texts are fake pic.twitter.com/x", "relevant_vclaim_ids": ["draft"]},
    {"query_id": "2", "query_text": "Huge anaconda filmed in a Brazil river!", "relevant_vclaim_ids": ["anaconda"]},
    {"query_id": "3", "query_text": "OREO x LADY GAGA packs drop today", "relevant_vclaim_ids": ["gaga"]},
]


@pytest.fixture
def benchmark_folder(tmp_path):
    (tmp_path / "vclaims.jsonl").write_text("\n".join(json.dumps(row) for row in VCLAIMS), encoding="utf-8")
    rows = [{**row, "official_split": "test"} for row in QUERIES]
    (tmp_path / "test.jsonl").write_text("\n".join(json.dumps(row) for row in rows), encoding="utf-8")
    return tmp_path


def run_evaluate_matching(*arguments: str) -> dict:
    output = StringIO()
    call_command("evaluate_matching", *arguments, stdout=output)
    return json.loads(output.getvalue())


def test_evaluate_matching_prints_the_agreed_json_summary(benchmark_folder):
    summary = run_evaluate_matching("--data", str(benchmark_folder), "--split", "test", "--methods", "bm25")

    assert set(summary) == {"map@5", "mrr", "recall@5", "n_queries", "queries_per_second"}
    assert summary["n_queries"] == 3
    assert summary["map@5"] == summary["mrr"] == summary["recall@5"] == 1.0
    assert summary["queries_per_second"] > 0


def test_evaluate_matching_runs_the_hybrid_retriever_and_names_the_model_on_request(benchmark_folder):
    summary = run_evaluate_matching(
        "--data", str(benchmark_folder), "--split", "test", "--embedder", "torch", "--details"
    )

    assert summary["map@5"] == 1.0
    assert summary["model_versions"]["dense"].endswith("/all-MiniLM-L6-v2/torch")


def test_evaluate_matching_refuses_a_folder_without_the_split(benchmark_folder):
    with pytest.raises(CommandError):
        call_command("evaluate_matching", "--data", str(benchmark_folder), "--split", "dev")


def test_evaluate_matching_through_the_service_runs_in_a_throwaway_database(benchmark_folder):
    summary = run_evaluate_matching("--data", str(benchmark_folder), "--split", "test", "--through-service")

    assert summary["path"] == "service (sqlite)"
    assert summary["n_queries"] == 3
    assert summary["map@5"] == 1.0


def test_evaluate_matching_through_the_service_refuses_options_of_the_in_memory_ranking(benchmark_folder):
    with pytest.raises(CommandError, match="--fusion does not apply"):
        call_command(
            "evaluate_matching",
            "--data",
            str(benchmark_folder),
            "--split",
            "test",
            "--through-service",
            "--fusion",
            "rrf",
        )
