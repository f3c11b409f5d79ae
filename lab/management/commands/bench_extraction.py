"""Measure extraction throughput: sentences per second for each stage and for the whole pipeline."""

from __future__ import annotations

import datetime
import json
import multiprocessing
import random
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims.checks import CHECKS, timeline
from claims.checks.timeline_events import get_parser
from claims.extraction.annotate import classify_claim, find_attribution
from claims.extraction.checkworthiness import get_scorer
from claims.extraction.dates import find_dates
from claims.extraction.entities import find_entities, get_entity_pipeline
from claims.extraction.pipeline import extract_claims
from claims.extraction.sentences import split_sentences
from lab.checkworthiness.evaluation import load_split

SEED_ARTICLE = Path(__file__).resolve().parents[3] / "fixtures" / "seed_article.txt"
SENTENCES_PER_ARTICLE = 24
SENTENCES_PER_PARAGRAPH = 3
PUBLISHED_AT = datetime.date(2025, 5, 12)
# (row label, with entity annotation): extract + score alone, then the whole pipeline.
PIPELINE_VARIANTS = (("pipeline without entities", False), ("pipeline (extract_claims)", True))


def build_articles(*, count: int, data_dir: Path | None, news: Path | None = None, seed: int = 7) -> list[str]:
    """News-like articles: the seed article, then articles assembled from benchmark sentences
    (or from the seed article's sentences, reshuffled, when no folder is given), or whole articles
    from a JSON Lines file of news (``text`` or ``body``)."""
    seed_text = SEED_ARTICLE.read_text(encoding="utf-8")
    if news is not None:
        with news.open(encoding="utf-8") as handle:
            rows = [json.loads(line) for line, _ in zip(handle, range(count - 1), strict=False)]
        return [seed_text, *(row.get("text") or row["body"] for row in rows)][:count]
    if data_dir is not None:
        pool = [sentence.text for sentence in load_split(data_dir, "dev")]
    else:
        pool = [span.text for span in split_sentences(seed_text)]
    generator = random.Random(seed)
    articles = [seed_text]
    while len(articles) < count:
        sentences = generator.sample(pool, k=min(SENTENCES_PER_ARTICLE, len(pool)))
        paragraphs = [
            " ".join(sentences[index : index + SENTENCES_PER_PARAGRAPH])
            for index in range(0, len(sentences), SENTENCES_PER_PARAGRAPH)
        ]
        articles.append("\n\n".join(paragraphs))
    return articles[:count]


class Command(BaseCommand):
    help = "Print sentences per second for splitting, scoring, annotating and the whole extraction pipeline."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--articles", type=int, default=300, help="Number of articles (about 24 sentences each).")
        parser.add_argument(
            "--data", type=Path, default=None, help="Folder whose dev.jsonl sentences fill the articles."
        )
        parser.add_argument(
            "--news", type=Path, default=None, help="JSON Lines of whole news articles to use instead (text or body)."
        )
        parser.add_argument(
            "--processes",
            type=int,
            default=1,
            help="Also run the pipeline, without and with entities, in this many processes at once (one "
            "thread each, like the worker processes of a deployment) and report their combined rate.",
        )
        parser.add_argument(
            "--repeat", type=int, default=3, help="Alternating runs of the ingest with and without the timeline check."
        )
        parser.add_argument("--format", dest="output_format", choices=("table", "json"), default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["articles"] < 1:
            raise CommandError("--articles must be at least 1")
        if options["processes"] < 1:
            raise CommandError("--processes must be at least 1")
        if options["repeat"] < 1:
            raise CommandError("--repeat must be at least 1")
        try:
            articles = build_articles(count=options["articles"], data_dir=options["data"], news=options["news"])
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(str(error)) from error
        published_at = PUBLISHED_AT

        started = time.perf_counter()
        scorer = get_scorer()
        scorer.score(["Warm-up sentence."])
        load_scorer = time.perf_counter() - started
        started = time.perf_counter()
        get_entity_pipeline()
        find_entities(["Warm-up sentence about Paris."])
        load_entities = time.perf_counter() - started
        started = time.perf_counter()
        get_parser()
        for check in CHECKS.values():
            # Loads the office knowledge base and compiles the checks' patterns before any timing.
            check(text="President Putin spoke after the talks on Monday, May 12.", published_at=PUBLISHED_AT)
        load_parser = time.perf_counter() - started

        rows: list[tuple[str, int, float]] = []
        started = time.perf_counter()
        split = [[span.text for span in split_sentences(article)] for article in articles]
        total = sum(len(sentences) for sentences in split)
        rows.append(("split", total, time.perf_counter() - started))

        started = time.perf_counter()
        scores = [scorer.score(sentences) for sentences in split]
        rows.append(("score (int8 ONNX)", total, time.perf_counter() - started))

        started = time.perf_counter()
        for sentences in split:
            for sentence in sentences:
                dates = find_dates(sentence, published_at=published_at)
                classify_claim(sentence, dates=dates, in_quotation=False)
                find_attribution(sentence)
        rows.append(("annotate: types, dates, speakers", total, time.perf_counter() - started))

        checkworthy = [
            [sentence for sentence, value in zip(sentences, article_scores, strict=True) if value >= scorer.threshold]
            for sentences, article_scores in zip(split, scores, strict=True)
        ]
        started = time.perf_counter()
        for sentences in checkworthy:
            find_entities(sentences)
        rows.append(("annotate: entities (check-worthy only)", total, time.perf_counter() - started))

        for label, with_entities in PIPELINE_VARIANTS:
            started = time.perf_counter()
            for article in articles:
                extract_claims(text=article, published_at=published_at, scorer=scorer, with_entities=with_entities)
            rows.append((label, total, time.perf_counter() - started))
        # Ingest runs every check on every sentence, with the article as context. The two variants
        # alternate and the fastest of each counts: on a shared machine a single run can be off by
        # more than the difference being measured.
        variants = (
            ("without timeline", [name for name in CHECKS if name != timeline.NAME]),
            ("(all)", list(CHECKS)),
        )
        checks_seconds: dict[str, list[float]] = {label: [] for label, _names in variants}
        ingest_seconds: dict[str, list[float]] = {label: [] for label, _names in variants}
        for _round in range(options["repeat"]):
            for label, names in variants:
                checks_seconds[label].append(_checks_seconds(articles, split, names))
                ingest_seconds[label].append(_ingest_seconds(articles, names, scorer=scorer))
        for label, _names in variants:
            rows.append((f"checks {label}", total, min(checks_seconds[label])))
        for label, _names in variants:
            rows.append((f"pipeline + checks {label}", total, min(ingest_seconds[label])))
        if options["processes"] > 1:
            processes = options["processes"]
            for label, with_entities in PIPELINE_VARIANTS:
                seconds = _pipeline_in_processes(articles, processes=processes, with_entities=with_entities)
                rows.append((f"{label}, {processes} processes", total, seconds))

        report: dict[str, Any] = {
            "articles": len(articles),
            "sentences": total,
            "checkworthy_sentences": sum(len(sentences) for sentences in checkworthy),
            "scorer": scorer.model_version,
            "load_seconds": {
                "scorer": round(load_scorer, 2),
                "entities": round(load_entities, 2),
                "parser": round(load_parser, 2),
            },
            "sentences_per_second": {label: round(count / seconds, 1) for label, count, seconds in rows},
        }
        rates = report["sentences_per_second"]
        report["timeline_throughput_drop"] = round(
            1 - rates["pipeline + checks (all)"] / rates["pipeline + checks without timeline"], 4
        )
        # The same drop from the checks timed alone: their extra time over the ingest without them.
        report["timeline_share_of_ingest_time"] = round(
            (min(checks_seconds["(all)"]) - min(checks_seconds["without timeline"]))
            / (
                min(ingest_seconds["without timeline"])
                + min(checks_seconds["(all)"])
                - min(checks_seconds["without timeline"])
            ),
            4,
        )
        if options["output_format"] == "json":
            self.stdout.write(json.dumps(report))
            return
        self.stdout.write(
            f"{report['articles']} articles, {total} sentences ({report['checkworthy_sentences']} check-worthy); "
            f"scorer {scorer.model_version} loaded in {load_scorer:.2f} s, entities in {load_entities:.2f} s"
        )
        self.stdout.write(f"{'stage':<40} {'sentences/s':>12} {'seconds':>9}")
        for label, count, seconds in rows:
            self.stdout.write(f"{label:<40} {count / seconds:>12.1f} {seconds:>9.2f}")
        self.stdout.write(
            f"ingest throughput drop from the timeline check: {100 * report['timeline_throughput_drop']:.1f} % "
            f"(from the checks timed alone: {100 * report['timeline_share_of_ingest_time']:.1f} %; fastest of "
            f"{options['repeat']} alternating runs; parser loaded in {load_parser:.2f} s)"
        )


def _ingest_seconds(articles: list[str], names: list[str], *, scorer: Any) -> float:
    timeline.clear_cache()
    started = time.perf_counter()
    for article in articles:
        for claim in extract_claims(text=article, published_at=PUBLISHED_AT, scorer=scorer):
            for name in names:
                CHECKS[name](text=claim.text, published_at=PUBLISHED_AT, context=article)
    return time.perf_counter() - started


def _checks_seconds(articles: list[str], split: list[list[str]], names: list[str]) -> float:
    timeline.clear_cache()
    published_at = PUBLISHED_AT
    started = time.perf_counter()
    for article, sentences in zip(articles, split, strict=True):
        for sentence in sentences:
            for name in names:
                CHECKS[name](text=sentence, published_at=published_at, context=article)
    return time.perf_counter() - started


def _pipeline_in_processes(articles: list[str], *, processes: int, with_entities: bool) -> float:
    """Seconds for `processes` fresh processes to run the pipeline over their share of the
    articles, timed from the moment all of them have loaded their models."""
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(processes + 1)
    shares = [articles[index::processes] for index in range(processes)]
    workers = [context.Process(target=_pipeline_worker, args=(share, ready, with_entities)) for share in shares]
    for worker in workers:
        worker.start()
    ready.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    if any(worker.exitcode != 0 for worker in workers):
        raise CommandError("a benchmark process failed; its error is printed above")
    return time.perf_counter() - started


def _pipeline_worker(articles: list[str], ready: Any, with_entities: bool) -> None:
    import django

    django.setup()
    scorer = get_scorer(threads=1)
    extract_claims(text=articles[0], published_at=PUBLISHED_AT, scorer=scorer, with_entities=with_entities)
    ready.wait()
    for article in articles:
        extract_claims(text=article, published_at=PUBLISHED_AT, scorer=scorer, with_entities=with_entities)
