"""One deadline over the whole fetch: a peer that trickles its headers or its body a byte at a time
(each read well inside a socket timeout) is cut off when the fetch's time is up, long before it
has sent everything."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from claims.extraction.errors import FetchError
from claims.extraction.fetch import fetch_url

BODY = (
    b"<html><body><article><p>"
    + b"Slow news is still news, the editor said on Monday. " * 20
    + b"</p></article></body></html>"
)
HEADERS = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nX-Padding: "
    + b"p" * 200
    + b"\r\nContent-Length: "
    + str(len(BODY)).encode()
    + b"\r\nConnection: close\r\n\r\n"
)
# Each byte arrives well within any socket timeout the fetch uses.
BYTE_INTERVAL_SECONDS = 0.05


@dataclass
class TricklingOrigin:
    url: str
    bytes_sent: int = 0
    finished: threading.Event = field(default_factory=threading.Event)


@contextmanager
def trickling_origin(*, trickle_headers: bool) -> Iterator[TricklingOrigin]:
    """A loopback HTTP server that sends its answer one byte at a time: the headers (or, when
    trickle_headers is False, the body after headers sent at once)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    origin = TricklingOrigin(url=f"http://127.0.0.1:{listener.getsockname()[1]}/slow")
    stop = threading.Event()

    def serve() -> None:
        try:
            connection, _ = listener.accept()
        except OSError:
            return
        with connection:
            connection.recv(65536)
            first, slow, last = (b"", HEADERS, BODY) if trickle_headers else (HEADERS, BODY, b"")
            try:
                connection.sendall(first)
                origin.bytes_sent += len(first)
                for index in range(len(slow)):
                    if stop.is_set():
                        return
                    connection.sendall(slow[index : index + 1])
                    origin.bytes_sent += 1
                    time.sleep(BYTE_INTERVAL_SECONDS)
                connection.sendall(last)
            except OSError:
                return
            origin.finished.set()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield origin
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)


@pytest.mark.parametrize("trickle_headers", [True, False], ids=["headers", "body"])
def test_a_trickling_origin_is_cut_off_by_the_overall_deadline(trickle_headers):
    fast, slow = (0, len(HEADERS)) if trickle_headers else (len(HEADERS), len(BODY))
    with trickling_origin(trickle_headers=trickle_headers) as origin:
        with pytest.raises(FetchError, match="took longer than"):
            fetch_url(origin.url, timeout=1.0, max_bytes=1_000_000, allow_private=True)
        sent_when_cut_off = origin.bytes_sent

    # The slow part takes len * BYTE_INTERVAL_SECONDS (15 s of headers, a minute of body) to
    # trickle out: the fetch gave up with most of it still unsent, and the origin never finished.
    assert not origin.finished.is_set()
    assert sent_when_cut_off - fast < slow / 2
