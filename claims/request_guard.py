"""Requests refused before anything decodes them.

Django decodes the query string and form bodies with the charset the request's Content-Type names.
Python knows codecs that are not text encodings (``rot13``, ``hex``, ``base64``, ``zlib``), and
decoding with one of them raises while Django is still building the request object (setting its
encoding reads the query string), outside any error handling: the client gets a bare 500. A control
character in a query string (a NUL in a filter or search term) reaches the database, which refuses
it with another 500. A chunked body without Content-Length is read by Django as empty, and the view
answers as if nothing was sent.

``request_refusal`` looks only at the WSGI environ (no decoding), so the same rule runs in two
places: ``RequestGuard`` wraps the WSGI application (gunicorn and runserver serve it), before Django
builds a request, and ``RequestGuardMiddleware`` (first in MIDDLEWARE) applies it again for any
other handler that builds requests itself. Refusals have the API's one error body.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse

# C0 controls and DEL, except tab, line feed and carriage return (harmless in a search term).
CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CHARSET_PARAMETER = re.compile(r";\s*charset\s*=\s*\"?([^\";]*)\"?", re.IGNORECASE)
ERROR_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"


@dataclass(frozen=True)
class Refusal:
    status: int
    reason: str
    message: str
    extra: dict[str, Any] = field(default_factory=dict)

    def body(self) -> bytes:
        return json.dumps({"message": self.message, "extra": self.extra}).encode("utf-8")

    def headers(self) -> list[tuple[str, str]]:
        return [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(self.body()))),
            ("Content-Security-Policy", ERROR_CONTENT_SECURITY_POLICY),
            ("X-Content-Type-Options", "nosniff"),
            ("Cache-Control", "no-store"),
        ]


def is_text_charset(name: str) -> bool:
    try:
        info = codecs.lookup(name)
    except LookupError:
        return False
    # rot13, hex, base64 and zlib are codecs, but not between text and bytes.
    return getattr(info, "_is_text_encoding", True)


def request_refusal(environ: dict[str, Any]) -> Refusal | None:
    """Why this request cannot be answered normally, or None. Reads the environ only."""
    content_type = str(environ.get("CONTENT_TYPE") or "")
    match = CHARSET_PARAMETER.search(content_type)
    if match:
        charset = match.group(1).strip()
        if not is_text_charset(charset):
            return Refusal(
                415,
                "Unsupported Media Type",
                "The request's charset is not a text encoding this server knows; send UTF-8.",
                {"charset": charset[:100]},
            )
    query = str(environ.get("QUERY_STRING") or "")
    # The WSGI server hands the query string over as latin-1 text of the raw bytes.
    raw_query = unquote_to_bytes(query.replace("+", " ").encode("latin-1", "replace"))
    path = str(environ.get("PATH_INFO") or "").encode("latin-1", "replace")
    if CONTROL_BYTES.search(raw_query) or CONTROL_BYTES.search(path):
        return Refusal(
            400,
            "Bad Request",
            "The address contains a control character (such as NUL); remove it and try again.",
        )
    chunked = "chunked" in str(environ.get("HTTP_TRANSFER_ENCODING") or "").lower()
    if chunked and not str(environ.get("CONTENT_LENGTH") or "").strip():
        return Refusal(
            411,
            "Length Required",
            "Send the request body with a Content-Length header; chunked request bodies are not read.",
        )
    return None


class RequestGuard:
    """WSGI middleware: refuses before Django sees the request."""

    def __init__(self, application: Callable[..., Iterable[bytes]]) -> None:
        self.application = application

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        refusal = request_refusal(environ)
        if refusal is None:
            return self.application(environ, start_response)
        start_response(f"{refusal.status} {refusal.reason}", refusal.headers())
        return [refusal.body()]


class RequestGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = request_refusal(request.META)
        if refusal is None:
            return self.get_response(request)
        response = HttpResponse(refusal.body(), status=refusal.status, content_type="application/json")
        for name, value in refusal.headers():
            if name not in ("Content-Type", "Content-Length"):
                response[name] = value
        return response
