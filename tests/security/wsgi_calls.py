"""Raw WSGI requests: what a client can send that Django's test client would refuse to build
(a body in the rot13 charset, a chunked body without a length)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

from django.core.handlers.wsgi import WSGIHandler

from claims.request_guard import RequestGuard


@dataclass
class WsgiAnswer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


def wsgi_call(
    method: str,
    path: str,
    *,
    query: str = "",
    body: bytes = b"",
    content_type: str = "",
    headers: dict[str, str] | None = None,
    guarded: bool = True,
) -> WsgiAnswer:
    """One request through the application as gunicorn serves it (workbench.wsgi: the guard, then Django)."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.url_scheme": "http",
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        **(headers or {}),
    }
    answer: dict[str, object] = {}

    def start_response(status: str, response_headers, exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["headers"] = dict(response_headers)

    handler = RequestGuard(WSGIHandler()) if guarded else WSGIHandler()
    chunks = handler(environ, start_response)
    content = b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()
    return WsgiAnswer(status=answer["status"], headers=answer["headers"], body=content)
