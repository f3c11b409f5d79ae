import ipaddress
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from claims.extraction import fetch
from claims.extraction.errors import (
    DocumentTooLargeError,
    EmptyDocumentError,
    FetchError,
    UndecodableDocumentError,
    UnsafeUrlError,
)
from claims.extraction.fetch import fetch_url

ARTICLE_HTML = (
    "<html><head><script>var leak = 'SCRIPT-PAYLOAD';</script></head><body>"
    "<nav><a href='/'>Home</a></nav><article><h1>Talks resume</h1>"
    "<p>Russian President Vladimir Putin put forward a proposal to resume peace talks in Istanbul.</p>"
    "<p>The talks broke off in 2022, and no direct negotiations have taken place since then.</p>"
    "</article></body></html>"
)


class _Routes(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        if parts.path == "/article.html":
            self._send(200, ARTICLE_HTML.encode(), "text/html; charset=utf-8")
        elif parts.path == "/latin1.html":
            page = "<html><body><article><p>Señor Zelensky habló en Kyiv sobre el alto el fuego de treinta días.</p>"
            self._send(200, (page + "</article></body></html>").encode("latin-1"), "text/html; charset=iso-8859-1")
        elif parts.path == "/plain.txt":
            self._send(200, b"Putin said this.\r\nZelensky replied.", "text/plain; charset=utf-8")
        elif parts.path == "/binary.txt":
            self._send(200, b"\x89PNG\r\n\x1a\n\x00\x00\x00", "text/plain")
        elif parts.path == "/report.pdf":
            self._send(200, b"%PDF-1.7", "application/pdf")
        elif parts.path == "/scripts-only.html":
            self._send(200, b"<html><body><script>run()</script></body></html>", "text/html")
        elif parts.path == "/declared-large":
            self._send(200, b"x" * 5000, "text/plain")
        elif parts.path == "/streamed-large":
            # No Content-Length: the cap must hold while streaming.
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b"y" * 1024)
        elif parts.path == "/slow":
            time.sleep(1.5)
            self._send(200, b"late", "text/plain")
        elif parts.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", query["to"][0])
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._send(404, b"not found", "text/plain")


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # Clients that abandon a capped or timed-out download break the pipe on purpose.
        pass


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    server = _QuietServer(("127.0.0.1", 0), _Routes)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _fetch(url: str, **overrides: object) -> fetch.FetchedDocument:
    options: dict[str, object] = {"timeout": 5.0, "max_bytes": 1_000_000, "allow_private": True}
    options.update(overrides)
    return fetch_url(url, **options)  # type: ignore[arg-type]


def test_it_fetches_an_html_page_and_keeps_only_its_main_text(server_url: str) -> None:
    document = _fetch(f"{server_url}/article.html")
    assert document.content_type == "text/html"
    assert "Putin put forward a proposal" in document.text
    assert "SCRIPT-PAYLOAD" not in document.text
    assert document.html is not None and "SCRIPT-PAYLOAD" in document.html
    assert document.final_url == document.url == f"{server_url}/article.html"


def test_it_fetches_plain_text_with_normalised_newlines(server_url: str) -> None:
    document = _fetch(f"{server_url}/plain.txt")
    assert document.text == "Putin said this.\nZelensky replied."
    assert document.html is None


def test_it_decodes_the_declared_character_set(server_url: str) -> None:
    assert "Señor Zelensky habló" in _fetch(f"{server_url}/latin1.html").text


def test_it_follows_a_redirect_and_reports_the_final_url(server_url: str) -> None:
    document = _fetch(f"{server_url}/redirect?to=/article.html")
    assert document.url.endswith("/redirect?to=/article.html")
    assert document.final_url == f"{server_url}/article.html"
    assert "Istanbul" in document.text


def test_it_refuses_an_unsupported_content_type(server_url: str) -> None:
    with pytest.raises(FetchError, match="application/pdf"):
        _fetch(f"{server_url}/report.pdf")


def test_it_refuses_binary_data_served_as_text(server_url: str) -> None:
    with pytest.raises(UndecodableDocumentError):
        _fetch(f"{server_url}/binary.txt")


def test_it_refuses_a_page_with_no_readable_text(server_url: str) -> None:
    with pytest.raises(EmptyDocumentError):
        _fetch(f"{server_url}/scripts-only.html")


def test_it_refuses_a_body_over_the_declared_size_limit(server_url: str) -> None:
    with pytest.raises(DocumentTooLargeError):
        _fetch(f"{server_url}/declared-large", max_bytes=1000)


def test_it_stops_streaming_a_body_once_it_passes_the_size_limit(server_url: str) -> None:
    with pytest.raises(DocumentTooLargeError):
        _fetch(f"{server_url}/streamed-large", max_bytes=10_000)


def test_it_gives_up_after_the_timeout(server_url: str) -> None:
    # The origin answers after 1.5 s: a fetch that waited for it would succeed instead of raising.
    with pytest.raises(FetchError):
        _fetch(f"{server_url}/slow", timeout=0.3)


def test_it_reports_http_errors(server_url: str) -> None:
    with pytest.raises(FetchError, match="404"):
        _fetch(f"{server_url}/missing")


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/file.txt",
        "gopher://example.com/",
        "javascript:alert(1)",
        "/relative/path",
        "http:///no-host",
    ],
)
def test_it_refuses_urls_that_are_not_http_or_https(url: str) -> None:
    with pytest.raises(UnsafeUrlError):
        fetch_url(url, timeout=1.0, max_bytes=1000)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost/",
        "http://[::1]/",
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://172.16.5.4/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://[fd00:ec2::254]/",
    ],
)
def test_it_refuses_loopback_private_and_metadata_addresses(url: str) -> None:
    with pytest.raises(UnsafeUrlError):
        fetch_url(url, timeout=1.0, max_bytes=1000)


def test_it_refuses_the_local_server_unless_private_addresses_are_allowed(server_url: str) -> None:
    with pytest.raises(UnsafeUrlError):
        fetch_url(f"{server_url}/article.html", timeout=2.0, max_bytes=100_000)


def test_it_checks_the_address_again_on_every_redirect(server_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Pretend the test server's address is public so the first hop passes the guard; the
    # redirect then points at another loopback address, which must still be refused.
    server_address = ipaddress.ip_address("127.0.0.1")
    monkeypatch.setattr(fetch, "is_forbidden_address", lambda address: address != server_address)
    port = urlsplit(server_url).port
    assert "Istanbul" in fetch_url(f"{server_url}/article.html", timeout=2.0, max_bytes=100_000).text
    with pytest.raises(UnsafeUrlError):
        fetch_url(f"{server_url}/redirect?to=http://127.0.0.2:{port}/article.html", timeout=2.0, max_bytes=100_000)


def test_it_refuses_a_redirect_to_another_scheme(server_url: str) -> None:
    with pytest.raises(UnsafeUrlError):
        _fetch(f"{server_url}/redirect?to=file:///etc/passwd")


def test_it_classifies_public_and_non_public_addresses() -> None:
    assert not fetch.is_forbidden_address(ipaddress.ip_address("93.184.216.34"))
    assert not fetch.is_forbidden_address(ipaddress.ip_address("2606:4700::1111"))
    for address in ["127.0.0.1", "10.0.0.1", "169.254.169.254", "100.64.0.1", "::1", "fe80::1", "224.0.0.1"]:
        assert fetch.is_forbidden_address(ipaddress.ip_address(address)), address
