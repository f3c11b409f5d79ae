"""A JSON parser that refuses oversized bodies with 413 before reading them into memory.

DRF's own parser reads whatever arrives; Django's DATA_UPLOAD_MAX_MEMORY_SIZE only guards form
bodies. The largest legitimate body is an article at the ingest limit, which JSON escaping can at
most double."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.settings import api_settings
from rest_framework.utils import json

from .exceptions import RequestTooLarge

ENVELOPE_BYTES = 64 * 1024


def max_request_bytes() -> int:
    return 2 * settings.INGEST_MAX_BYTES + ENVELOPE_BYTES


class BoundedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        parser_context = parser_context or {}
        limit = max_request_bytes()
        request = parser_context.get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        try:
            if declared and int(declared) > limit:
                raise RequestTooLarge(max_bytes=limit)
        except ValueError:
            raise ParseError("Invalid Content-Length.") from None
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise RequestTooLarge(max_bytes=limit)
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = raw.decode(encoding)
            parse_constant = json.strict_constant if api_settings.STRICT_JSON else None
            return json.loads(text, parse_constant=parse_constant)
        except (ValueError, UnicodeDecodeError) as error:
            raise ParseError(f"JSON parse error - {error}") from None
        except RecursionError:
            # Python's decoder recurses once per level; no request of this API nests more than a few.
            raise ParseError("JSON parse error - the document is nested too deeply.") from None
