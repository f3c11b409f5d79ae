import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from claims.errors import DocumentTooLargeError, InvalidInputError
from claims.models import Article, Claim, Finding
from claims.services.articles import article_ingest
from tests.local_site import serving_page

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seed_article.txt"
ARTICLE = (
    "The unemployment rate fell to 3.9 percent in March, the statistics office said on Friday. "
    "Prime Minister Jane Doe said the government would cut taxes by 2 percent next year."
)


def test_an_article_is_stored_with_its_claims_and_offsets():
    result = article_ingest(text=ARTICLE, title="Jobs", outlet="Wire", published_at=dt.date(2025, 4, 4))

    assert result.created
    claims = list(result.article.claims.order_by("start"))
    assert claims
    for claim in claims:
        assert result.article.body[claim.start : claim.end] == claim.text
    assert result.article.published_at.date() == dt.date(2025, 4, 4)


def test_the_same_content_again_returns_the_stored_article_and_no_new_claims():
    first = article_ingest(text=ARTICLE)
    count = Claim.objects.count()

    again = article_ingest(text="  " + ARTICLE.replace(". ", ".  ") + "\n")

    assert not again.created
    assert again.article.pk == first.article.pk
    assert Claim.objects.count() == count


def test_the_same_url_again_returns_the_stored_article():
    first = article_ingest(text=ARTICLE, url="https://news.example.org/jobs")
    again = article_ingest(text="A different body entirely, about weather.", url="https://news.example.org/jobs")
    assert again.article.pk == first.article.pk and not again.created


@pytest.mark.parametrize(
    "body",
    [b"", b"   \n\t ", b"\x00\x01\x02binary\x00", "caf\u00e9".encode("latin-1") + b" is not UTF-8 \xff\xfe"],
    ids=["empty", "whitespace", "binary", "not-utf8"],
)
def test_bad_bodies_are_refused_with_a_clear_message_and_nothing_is_saved(body):
    with pytest.raises(InvalidInputError) as refused:
        article_ingest(text=body)
    assert refused.value.message
    assert Article.objects.count() == 0 and Claim.objects.count() == 0


@override_settings(INGEST_MAX_BYTES=1000)
def test_an_article_over_the_size_cap_is_refused_as_too_large():
    with pytest.raises(DocumentTooLargeError) as refused:
        article_ingest(text="Word " * 1000)
    assert refused.value.status_code == 413
    assert Article.objects.count() == 0


def test_html_that_is_all_script_is_refused():
    with pytest.raises(InvalidInputError):
        article_ingest(html="<html><body><script>alert('x')</script><script>steal()</script></body></html>")
    assert Article.objects.count() == 0


def test_scripts_in_html_never_reach_the_stored_body():
    html = (
        "<html><head><title>t</title><script>document.cookie='stolen'</script></head><body><article>"
        f"<p>{ARTICLE}</p><script>alert('pwned')</script></article></body></html>"
    )
    article = article_ingest(html=html).article
    assert "alert" not in article.body and "cookie" not in article.body
    assert "3.9 percent" in article.body


def test_metadata_over_its_limit_is_refused():
    with pytest.raises(InvalidInputError):
        article_ingest(text=ARTICLE, title="x" * 600)


@pytest.fixture
def local_site():
    with serving_page(
        f"<html><body><article><h1>Jobs</h1><p>{ARTICLE}</p></article></body></html>", path="/jobs"
    ) as url:
        yield url


def test_a_url_on_a_private_address_is_refused_unless_allowed(local_site):
    with pytest.raises(InvalidInputError):
        article_ingest(url=local_site, fetch=True)
    assert Article.objects.count() == 0

    with override_settings(INGEST_FETCH_ALLOWED_PRIVATE_HOSTS=["127.0.0.1"]):
        article = article_ingest(url=local_site, fetch=True).article
    assert article.url == local_site
    assert "3.9 percent" in article.body


def test_ingest_article_prints_the_pipeline_as_one_json_document():
    out = StringIO()
    call_command(
        "ingest_article",
        "--file",
        str(SEED),
        "--published-at",
        "2025-05-12",
        "--title",
        "Seed",
        "--format",
        "json",
        stdout=out,
    )
    document = json.loads(out.getvalue())

    assert document["article"]["published_at"] == "2025-05-12"
    claims = document["claims"]
    required = {
        "id",
        "text",
        "start",
        "end",
        "checkworthiness",
        "claim_type",
        "speaker",
        "status",
        "findings",
        "suggestions",
    }
    assert all(required <= set(claim) for claim in claims)
    trump = next(c for c in claims if c["text"].startswith("Former U.S. President Donald Trump"))
    assert trump["findings"] == [
        {
            "check": "role_in_office",
            "message": trump["findings"][0]["message"],
            "suggested_rating": "Outdated",
            "span_text": "Former U.S. President Donald Trump",
            "corrected_statement": trump["findings"][0]["corrected_statement"],
        }
    ]
    assert trump["findings"][0]["corrected_statement"].startswith("U.S. President Donald Trump")
    reversal = next(c for c in claims if c["text"].startswith("Putin’s suggestion was a direct response"))
    assert [(f["check"], f["span_text"], f["suggested_rating"]) for f in reversal["findings"]] == [
        ("timeline", "response to Zelensky’s offer", "Misleading")
    ]
    flagged = [c["text"][:40] for c in claims if c["findings"]]
    assert flagged == [reversal["text"][:40], trump["text"][:40]]
    assert Finding.objects.count() == 2
    # The machine-detected errors lead the queue.
    leading = sorted(claims, key=lambda c: -c["priority"])[:2]
    assert {c["id"] for c in leading} == {trump["id"], reversal["id"]}
    assert trump["status"] == "new"


def test_ingest_article_explains_a_missing_file_and_a_bad_date(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("ingest_article", "--file", str(tmp_path / "nope.txt"), "--format", "json")
    (tmp_path / "a.txt").write_text(ARTICLE)
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("ingest_article", "--file", str(tmp_path / "a.txt"), "--published-at", "12/05/2025")


def test_ingest_article_fetches_a_url(local_site):
    out = StringIO()
    with override_settings(INGEST_FETCH_ALLOWED_PRIVATE_HOSTS=["127.0.0.1"]):
        call_command("ingest_article", "--url", local_site, "--fetch", "--format", "json", stdout=out)
    document = json.loads(out.getvalue())

    assert document["article"]["url"] == local_site
    assert any("3.9 percent" in claim["text"] for claim in document["claims"])


def test_ingest_article_wants_one_source_for_the_article(tmp_path, local_site):
    (tmp_path / "a.txt").write_text(ARTICLE)
    with pytest.raises(CommandError, match="--file PATH, or as --url URL --fetch"):
        call_command("ingest_article", "--format", "json")
    with pytest.raises(CommandError, match="either --file, or --url with --fetch"):
        call_command("ingest_article", "--fetch")
    with pytest.raises(CommandError, match="either --file, or --url with --fetch"):
        call_command("ingest_article", "--file", str(tmp_path / "a.txt"), "--url", local_site, "--fetch")
    # Without the allowance, the guarded fetch refuses the private address, and says so.
    with pytest.raises(CommandError, match="non-public address"):
        call_command("ingest_article", "--url", local_site, "--fetch")
    assert Article.objects.count() == 0


@pytest.mark.django_db
def test_ingest_itself_refuses_people_without_the_reviewer_role(outsider):
    from django.contrib.auth.models import AnonymousUser

    from claims.errors import PermissionDeniedError

    for user in (outsider, AnonymousUser()):
        with pytest.raises(PermissionDeniedError):
            article_ingest(text="The minister said unemployment fell by 3 percent in 2024.", user=user)
    assert not Article.objects.exists()
