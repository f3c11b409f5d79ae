"""A webhook receiver on loopback, for tests and the delivery benchmark.

It verifies each delivery's Standard Webhooks signature, de-duplicates by the ``webhook-id``
header the way a careful receiver would, and can misbehave on purpose: refuse the first attempts
(503), or answer slowly now and then.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class ReceiverLog:
    secret: str
    # Refuse this many requests in all before accepting any (the receiver "recovers" afterwards).
    refuse_first: int = 0
    # Every n-th accepted request sleeps `slow_seconds` before answering (0: never).
    slow_every: int = 0
    slow_seconds: float = 0.0
    requests: int = 0
    refused: int = 0
    bad_signatures: int = 0
    # Every id seen, with how often; and the events the de-duplicating receiver processed once.
    seen: Counter = field(default_factory=Counter)
    processed: list[dict] = field(default_factory=list)
    # (event id, receive time) of the first arrival of each event, for delay measurements.
    first_arrival: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(log: ReceiverLog) -> type[BaseHTTPRequestHandler]:
    verifier = Webhook(log.secret)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
            return

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            now = time.time()
            with log.lock:
                log.requests += 1
                number = log.requests
                refuse = log.refused < log.refuse_first
                if refuse:
                    log.refused += 1
            if refuse:
                self._answer(503)
                return
            try:
                payload = verifier.verify(body, dict(self.headers.items()))
            except WebhookVerificationError:
                with log.lock:
                    log.bad_signatures += 1
                self._answer(400)
                return
            event_id = self.headers["webhook-id"]
            if log.slow_every and number % log.slow_every == 0:
                time.sleep(log.slow_seconds)
            with log.lock:
                log.seen[event_id] += 1
                if log.seen[event_id] == 1:
                    log.processed.append(payload)
                    log.first_arrival[event_id] = now
            self._answer(204)

        def _answer(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


@contextlib.contextmanager
def webhook_receiver(log: ReceiverLog) -> Iterator[str]:
    """Serve on 127.0.0.1 (a free port) while the block runs; yields the endpoint URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(log))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks"
    finally:
        server.shutdown()
        server.server_close()
