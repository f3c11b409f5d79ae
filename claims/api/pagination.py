"""Keyset ("cursor") pagination: each page continues after the last row of the previous one, so a
page costs the same at row 50 and at row 100,000, and rows inserted meanwhile neither repeat nor
vanish. The cursor carries the ordering value and the id of that last row; the id breaks ties, so
orderings on non-unique fields (priority, timestamps written in bulk) page correctly."""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Field, Model, Q, QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from .inputs import MAX_ID


class KeysetPagination(BasePagination):
    page_size = 50
    max_page_size = 200
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    default_ordering = "-id"

    def _ordering(self, view: Any) -> str:
        return getattr(view, "list_ordering", None) or self.default_ordering

    def _page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            raise ValidationError({self.page_size_query_param: ["A whole number is required."]}) from None
        if size < 1:
            raise ValidationError({self.page_size_query_param: ["Must be at least 1."]})
        return min(size, self.max_page_size)

    def _decode(self, encoded: str, *, ordering: str, queryset: QuerySet) -> tuple[Any, int]:
        invalid = ValidationError({self.cursor_query_param: ["Invalid cursor."]})
        try:
            payload = json.loads(base64.urlsafe_b64decode(encoded.encode("ascii") + b"=="))
            if not isinstance(payload, dict) or payload.get("o") != ordering:
                raise invalid
            last_id = payload["i"]
            # A forged id outside 64 bits would reach the database as an out-of-range error.
            if not isinstance(last_id, int) or isinstance(last_id, bool) or not 0 <= last_id <= MAX_ID:
                raise invalid
            field = queryset.model._meta.get_field(ordering.lstrip("-"))
            value = field.to_python(payload["v"])
        except (ValueError, KeyError, TypeError, UnicodeError, binascii.Error, DjangoValidationError):
            raise invalid from None
        # Cursors this class writes never hold infinities or NaN.
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            raise invalid
        return value, last_id

    def _encode(self, row: Model, *, ordering: str) -> str:
        field = row._meta.get_field(ordering.lstrip("-"))
        assert isinstance(field, Field)  # orderings name concrete columns, never relations
        payload = {"o": ordering, "v": field.value_to_string(row), "i": row.pk}
        return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")

    def paginate_queryset(self, queryset: QuerySet, request: Request, view: Any = None) -> list[Model]:
        ordering = self._ordering(view)
        field = ordering.lstrip("-")
        descending = ordering.startswith("-")
        order_by: Sequence[str] = (ordering,) if field == "id" else (ordering, "-id" if descending else "id")
        queryset = queryset.order_by(*order_by)
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded:
            value, last_id = self._decode(encoded, ordering=ordering, queryset=queryset)
            if field == "id":
                queryset = queryset.filter(id__lt=last_id) if descending else queryset.filter(id__gt=last_id)
            elif descending:
                # "field <= v, minus the rows at v already shown" lets the database range-scan the index.
                queryset = queryset.filter(Q(**{f"{field}__lte": value}) & ~Q(**{field: value, "id__gte": last_id}))
            else:
                queryset = queryset.filter(Q(**{f"{field}__gte": value}) & ~Q(**{field: value, "id__lte": last_id}))
        size = self._page_size(request)
        rows = list(queryset[: size + 1])
        self.request = request
        self.next_cursor = self._encode(rows[size - 1], ordering=ordering) if len(rows) > size else None
        return rows[:size]

    def get_next_link(self) -> str | None:
        if self.next_cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, self.next_cursor)

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"next": self.get_next_link(), "results": data})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page, or null on the last page.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque position from a previous page's `next` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page (default {self.page_size}, at most {self.max_page_size}).",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]
