"""Ingest one article (a text or HTML file, or a URL with --fetch) and run the whole pipeline
synchronously: extraction, automatic checks, embedding and suggestions. With --format json, prints
one JSON object (a stable interface):

{"article": {...}, "claims": [{"id", "text", "start", "end", "checkworthiness", "claim_type",
 "speaker", "status", "findings": [{"check", "message", "suggested_rating", "span_text"}],
 "suggestions": [...]}]}
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claims.choices import ClaimStatus
from claims.errors import WorkbenchError
from claims.extraction.html import looks_like_html
from claims.models import Article, Claim
from claims.services.articles import article_ingest
from claims.services.similarity import claims_process_new


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--published-at must be a date as YYYY-MM-DD, not {value!r}.") from None


def _suggestion(suggestion) -> dict:  # type: ignore[no-untyped-def]
    item = {
        "target": suggestion.target_kind,
        "state": suggestion.state,
        "fused_score": round(suggestion.fused_score, 6),
        "scores": suggestion.scores,
        "model_version": suggestion.model_version,
    }
    if suggestion.target_passage_id:
        passage = suggestion.target_passage
        item.update(
            passage_id=passage.pk,
            text=passage.text,
            source_url=passage.source.url,
            source_title=passage.source.title,
        )
    else:
        earlier = suggestion.target_claim
        verdict = getattr(earlier, "verdict", None)
        item.update(
            claim_id=earlier.pk,
            text=earlier.text,
            rating=verdict.rating.label if verdict else None,
            published_at=verdict.published_at.isoformat() if verdict and verdict.published_at else None,
        )
    return item


def article_document(article: Article, *, created: bool) -> dict:
    claims = (
        Claim.objects.filter(article=article)
        .order_by("start", "id")
        .prefetch_related(
            "findings__suggested_rating",
            "suggestions__target_passage__source",
            "suggestions__target_claim__verdict__rating",
        )
    )
    return {
        "article": {
            "id": article.pk,
            "created": created,
            "url": article.url,
            "title": article.title,
            "outlet": article.outlet,
            "author": article.author,
            "published_at": article.published_at.date().isoformat() if article.published_at else None,
            "language": article.language,
            "content_hash": article.content_hash,
            "characters": len(article.body),
        },
        "claims": [
            {
                "id": claim.pk,
                "text": claim.text,
                "start": claim.start,
                "end": claim.end,
                "checkworthiness": round(claim.checkworthiness, 4),
                "claim_type": claim.claim_types[0] if claim.claim_types else "other",
                "claim_types": claim.claim_types,
                "speaker": claim.speaker or None,
                "status": claim.status,
                "priority": round(claim.priority, 4),
                "entities": claim.entities,
                "dates": claim.dates,
                "findings": [
                    {
                        "check": finding.check_name,
                        "message": finding.message,
                        "suggested_rating": finding.suggested_rating.label if finding.suggested_rating else None,
                        "span_text": finding.span_text,
                        "corrected_statement": finding.corrected_statement or None,
                    }
                    for finding in claim.findings.all()
                ],
                "suggestions": [_suggestion(s) for s in sorted(claim.suggestions.all(), key=lambda s: -s.fused_score)],
            }
            for claim in claims
        ],
    }


class Command(BaseCommand):
    help = "Ingest an article (a text or HTML file, or a URL to fetch) and run the whole pipeline synchronously."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--file", type=Path, help="a text or HTML file holding the article")
        parser.add_argument("--published-at", help="YYYY-MM-DD")
        parser.add_argument("--url", help="where the article was published (stored with it)")
        parser.add_argument(
            "--fetch", action="store_true", help="fetch the article from --url instead of reading --file"
        )
        parser.add_argument("--title", default="")
        parser.add_argument("--outlet", default="")
        parser.add_argument("--author", default="")
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        path: Path | None = options["file"]
        if options["fetch"]:
            if path is not None or not options["url"]:
                raise CommandError("Give either --file, or --url with --fetch.")
            body: dict = {"fetch": True}
        elif path is None:
            raise CommandError("Give the article as --file PATH, or as --url URL --fetch.")
        elif not path.is_file():
            raise CommandError(f"No such file: {path}")
        else:
            raw = path.read_bytes()
            is_html = looks_like_html(raw) or path.suffix.lower() in {".html", ".htm"}
            body = {"html": raw} if is_html else {"text": raw}
        try:
            result = article_ingest(
                **body,
                url=options["url"],
                title=options["title"],
                outlet=options["outlet"],
                author=options["author"],
                published_at=_date(options["published_at"]),
            )
        except WorkbenchError as error:
            raise CommandError(error.message) from error

        # The checks ran at ingest. Embedding and suggestions run here too, synchronously on
        # purpose: the same jobs may also run in a worker, and they are idempotent.
        queued = list(result.article.claims.filter(status=ClaimStatus.NEW).values_list("id", flat=True))
        claims_process_new(claim_ids=queued)

        document = article_document(result.article, created=result.created)
        if options["format"] == "json":
            self.stdout.write(json.dumps(document, ensure_ascii=False))
            return
        article = document["article"]
        self.stdout.write(f"{'Ingested' if result.created else 'Already stored:'} #{article['id']} {article['title']}")
        for claim in document["claims"]:
            marker = "*" if claim["status"] == ClaimStatus.NEW else " "
            self.stdout.write(f"{marker} {claim['checkworthiness']:.2f} {claim['text'][:100]}")
            for finding in claim["findings"]:
                self.stdout.write(f"    ! {finding['check']}: {finding['message']}")
