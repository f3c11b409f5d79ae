"""URL ingest never reaches the server's own network: what tests/extraction/test_fetch.py does not
already cover. Address forms that resolve to loopback, look-alike host names, and a redirect from a
host the allowlist admits to one it does not — through the ingest service, with the setting the
service reads."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import override_settings

from claims.errors import InvalidInputError
from claims.extraction.errors import UnsafeUrlError
from claims.extraction.fetch import fetch_url
from claims.models import Article
from claims.services.articles import article_ingest
from tests.security.hostile_inputs import LOOKALIKE_LOCALHOST

PAGE = (
    b"<html><body><article><p>The statistics office said unemployment fell to 3.9 percent in March, "
    b"its lowest level since 2019.</p></article></body></html>"
)


class _Site(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        parts = urlsplit(self.path)
        if parts.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", parse_qs(parts.query)["to"][0])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "host",
    [
        "2130706433",  # 127.0.0.1 as one decimal number
        "0x7f.1",  # hexadecimal, short form
        "0177.0.0.1",  # octal
        "127.1",  # short form
        "0",  # 0.0.0.0
        "[::ffff:7f00:1]",  # IPv4-mapped loopback in hex
        "[fe80::1%25eth0]",  # link-local with a zone
        "[::]",
        "100.64.0.1",  # carrier-grade NAT
        "198.18.0.1",  # benchmarking network
        LOOKALIKE_LOCALHOST,  # IDNA maps it to "localhost"
        "127\u30020\u30020\u30021",  # ideographic full stops are dots to IDNA
        "LocalHost",
    ],
)
def test_it_refuses_other_spellings_of_non_public_addresses(host: str) -> None:
    with pytest.raises(UnsafeUrlError, match="non-public address"):
        fetch_url(f"http://{host}/", timeout=2.0, max_bytes=10_000)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://news.example.org@127.0.0.1/", "user name or password"),
        ("http://127.0.0.1:80@news.example.org/", "user name or password"),
        ("http://user:secret@news.example.org/", "user name or password"),
        ("http://news.example.org:99999/", "invalid port"),
        ("http://[::1/", "not a valid URL"),
        ("http://" + "a" * 64 + ".example.org/", "not a valid host name"),
    ],
)
def test_it_refuses_urls_that_hide_or_mangle_their_host(url: str, reason: str) -> None:
    with pytest.raises(UnsafeUrlError, match=reason):
        fetch_url(url, timeout=2.0, max_bytes=10_000)


def test_the_allowlist_setting_exists_and_is_empty_by_default() -> None:
    assert settings.INGEST_FETCH_ALLOWED_PRIVATE_HOSTS == []


@pytest.mark.django_db
def test_a_host_on_the_allowlist_is_fetched_and_no_other(port: int) -> None:
    with override_settings(INGEST_FETCH_ALLOWED_PRIVATE_HOSTS=["localhost"]):
        article = article_ingest(url=f"http://localhost:{port}/jobs", fetch=True).article
        assert "3.9 percent" in article.body
        # The same server under another name is not on the list.
        with pytest.raises(InvalidInputError, match="non-public address"):
            article_ingest(url=f"http://127.0.0.1:{port}/jobs", fetch=True)
    assert Article.objects.count() == 1


@pytest.mark.django_db
def test_an_allowed_host_cannot_redirect_to_a_private_address(port: int) -> None:
    with override_settings(INGEST_FETCH_ALLOWED_PRIVATE_HOSTS=["localhost"]):
        # The allowlist lets the first hop through; the 302 to 127.0.0.1 must still be refused.
        with pytest.raises(InvalidInputError, match="non-public address"):
            article_ingest(url=f"http://localhost:{port}/redirect?to=http://127.0.0.1:{port}/jobs", fetch=True)
        with pytest.raises(InvalidInputError, match="non-public address"):
            article_ingest(url=f"http://localhost:{port}/redirect?to=http://169.254.169.254/latest/", fetch=True)
        with pytest.raises(InvalidInputError, match="user name or password"):
            article_ingest(url=f"http://localhost:{port}/redirect?to=http://localhost@127.0.0.1:{port}/", fetch=True)
        # A redirect within the allowed host is followed.
        article = article_ingest(url=f"http://localhost:{port}/redirect?to=/jobs", fetch=True).article
    assert Article.objects.count() == 1
    assert "3.9 percent" in article.body


@pytest.mark.django_db
def test_without_the_allowlist_the_local_server_is_refused(port: int) -> None:
    with pytest.raises(InvalidInputError, match="non-public address"):
        article_ingest(url=f"http://localhost:{port}/jobs", fetch=True)
    assert Article.objects.count() == 0
