"""Atom, JSON Feed and the ClaimReview data feed, with conditional GET."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from claims.public import public_check_url
from claims.services import verdicts

from .conftest import publish_check

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def test_the_atom_feed_lists_published_checks_newest_first(desk):
    first = publish_check(desk)
    second = publish_check(desk, text="Unemployment fell by 40 percent last year.", rating_label="Inaccurate")
    response = Client().get("/checks/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    entries = ET.fromstring(response.content).findall(f"{ATOM}entry")
    titles = [entry.findtext(f"{ATOM}title") for entry in entries]
    assert titles == [f"Inaccurate: {second.text}", f"Outdated: {first.text}"]
    links = [entry.find(f"{ATOM}link").get("href") for entry in entries]
    assert links[1] == public_check_url(claim_id=first.pk, text=first.text)


def test_the_json_feed_is_json_feed_1_1_with_the_rating_of_each_check(desk):
    claim = publish_check(desk)
    response = Client().get("/checks/feed.json")
    assert response["Content-Type"].startswith("application/feed+json")
    feed = json.loads(response.content)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    (item,) = feed["items"]
    assert item["url"] == public_check_url(claim_id=claim.pk, text=claim.text)
    assert item["title"].startswith("Outdated: ")
    assert "He has held the office again" in item["content_text"]
    assert item["date_published"]


def test_the_claimreview_feed_holds_every_published_review(desk):
    claims = [publish_check(desk), publish_check(desk, text="Another claim checked here.")]
    response = Client().get("/checks/claimreview.json")
    assert response["Content-Type"] == "application/ld+json"
    document = json.loads(b"".join(response.streaming_content))
    assert document["@context"] == "https://schema.org"
    assert sorted(review["url"] for review in document["@graph"]) == sorted(
        public_check_url(claim_id=claim.pk, text=claim.text) for claim in claims
    )


@pytest.mark.parametrize("path", ["/checks/feed.atom", "/checks/feed.json", "/checks/claimreview.json"])
def test_a_poller_with_the_current_feed_gets_304_until_something_changes(desk, path):
    claim = publish_check(desk)
    client = Client()
    first = client.get(path)
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert client.get(path, headers={"if-none-match": etag}).status_code == 304
    assert client.get(path, headers={"if-modified-since": last_modified}).status_code == 304
    verdicts.verdict_reopen(user=desk["editor"], claim_id=claim.pk, reason="A correction came in.")
    changed = client.get(path, headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_each_feed_has_its_own_etag(desk):
    publish_check(desk)
    client = Client()
    tags = {client.get(path)["ETag"] for path in ("/checks/feed.atom", "/checks/feed.json", "/checks/claimreview.json")}
    assert len(tags) == 3


def test_the_index_links_its_feeds(desk):
    html = Client().get("/checks/").content.decode()
    assert 'type="application/atom+xml"' in html and 'href="/checks/feed.json"' in html
