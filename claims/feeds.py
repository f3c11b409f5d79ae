"""Feeds of published checks: Atom and JSON Feed for readers (Django's syndication framework), and
one JSON-LD document with every published ClaimReview for fact-check aggregators.

All three answer conditional requests: the ETag and Last-Modified come from one cheap aggregate
over the public claims (the latest change, how many there are) and the rating scale, so a poller
that already has the current feed gets a 304 without the feed being built.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Count, Max
from django.http import HttpRequest, StreamingHttpResponse
from django.urls import reverse
from django.utils import feedgenerator
from django.views.decorators.http import condition, require_safe

from .models import Claim, Rating
from .public import APPEARANCES_WITH_ARTICLES, PublicCheck, public_check_from_claim, public_claims
from .selectors import claims_published
from .services.exports import claims_export

FEED_ITEMS = 50


def _feed_state() -> tuple[dt.datetime | None, str]:
    """(latest change, fingerprint) of everything the feeds show. A reopened claim leaves the feeds,
    and its updated_at moves, so it counts here as a change."""
    state = public_claims().aggregate(latest=Max("updated_at"), verdicts=Max("verdict__updated_at"), n=Count("id"))
    latest = max((value for value in (state["latest"], state["verdicts"]) if value is not None), default=None)
    scale = list(Rating.objects.order_by("pk").values_list("pk", "label", "alternate_name", "value", "colour"))
    fingerprint = hashlib.sha256(
        json.dumps(
            [latest.isoformat() if latest else None, state["n"], scale, settings.DESK_NAME, settings.PUBLIC_SITE_URL]
        ).encode()
    ).hexdigest()[:32]
    return latest, fingerprint


def feed_last_modified(request: HttpRequest, *args: Any, **kwargs: Any) -> dt.datetime | None:
    return _feed_state()[0]


def feed_etag(request: HttpRequest, *args: Any, **kwargs: Any) -> str:
    # The path is part of it: the three feeds share their state but not their bytes.
    return f"{_feed_state()[1]}-{hashlib.sha256(request.path.encode()).hexdigest()[:8]}"


conditional = condition(etag_func=feed_etag, last_modified_func=feed_last_modified)


class JsonFeedGenerator(feedgenerator.SyndicationFeed):
    """JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/)."""

    content_type = "application/feed+json; charset=utf-8"

    def write(self, outfile: Any, encoding: str) -> None:
        feed: dict[str, Any] = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": self.feed["title"],
            "home_page_url": self.feed["link"],
            "feed_url": self.feed["feed_url"],
            "description": self.feed["description"],
            "language": self.feed["language"],
            "authors": [{"name": self.feed["author_name"], "url": self.feed["author_link"]}],
            "items": [self._item(item) for item in self.items],
        }
        outfile.write(json.dumps(feed, ensure_ascii=False, indent=1))

    @staticmethod
    def _item(item: dict[str, Any]) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "id": item["unique_id"] or item["link"],
            "url": item["link"],
            "title": item["title"],
            "content_text": item["description"],
            "tags": list(item["categories"]),
        }
        if item["pubdate"] is not None:
            entry["date_published"] = item["pubdate"].isoformat()
        if item["updateddate"] is not None:
            entry["date_modified"] = item["updateddate"].isoformat()
        if item.get("rating"):
            # JSON Feed extensions start with an underscore.
            entry["_claim_review"] = {"rating": item["rating"], "claim": item["claim"]}
        return entry


class PublishedChecksFeed(Feed):
    """The newest published checks. Items are built from the same reads as the public pages."""

    feed_type = feedgenerator.Atom1Feed

    def title(self) -> str:
        return f"{settings.DESK_NAME}: fact checks"

    def link(self) -> str:
        return settings.PUBLIC_SITE_URL.rstrip("/") + reverse("claims:public_index")

    def feed_url(self) -> str:
        return settings.PUBLIC_SITE_URL.rstrip("/") + reverse(self.url_name)

    url_name = "claims:public_feed_atom"

    def description(self) -> str:
        return f"Claims checked by {settings.DESK_NAME}, newest first."

    def author_name(self) -> str:
        return settings.DESK_NAME

    def author_link(self) -> str:
        return settings.DESK_URL

    def items(self) -> list[PublicCheck]:
        claims: list[Claim] = list(
            claims_published()
            .prefetch_related(APPEARANCES_WITH_ARTICLES)
            .order_by("-verdict__published_at", "-id")[:FEED_ITEMS]
        )
        return [public_check_from_claim(claim) for claim in claims]

    def item_title(self, item: PublicCheck) -> str:
        return f"{item.rating.label}: {item.text}"

    def item_description(self, item: PublicCheck) -> str:
        parts = [f"Rating: {item.rating.label}.", item.explanation]
        if item.corrected_statement:
            parts.append(f"What is accurate: {item.corrected_statement}")
        return "\n\n".join(part for part in parts if part)

    def item_link(self, item: PublicCheck) -> str:
        return item.url

    def item_guid(self, item: PublicCheck) -> str:
        return item.url

    def item_pubdate(self, item: PublicCheck) -> dt.datetime:
        return item.published_at

    def item_updateddate(self, item: PublicCheck) -> dt.datetime:
        return item.updated_at

    def item_categories(self, item: PublicCheck) -> list[str]:
        return [item.rating.label]

    def item_author_name(self, item: PublicCheck) -> str:
        return settings.DESK_NAME

    def item_extra_kwargs(self, item: PublicCheck) -> dict[str, Any]:
        return {"rating": item.rating.alternate_name, "claim": item.text}


class PublishedChecksJsonFeed(PublishedChecksFeed):
    feed_type = JsonFeedGenerator
    url_name = "claims:public_feed_json"


atom_feed = require_safe(conditional(PublishedChecksFeed()))
json_feed = require_safe(conditional(PublishedChecksJsonFeed()))


@require_safe
@conditional
def claimreview_feed(request: HttpRequest) -> StreamingHttpResponse:
    """Every published ClaimReview in one JSON-LD document, streamed (the export's own writer)."""
    export = claims_export(export_format="claimreview")
    response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
    # Public data, read by aggregators' scripts from other origins.
    response["Access-Control-Allow-Origin"] = "*"
    return response
