from __future__ import annotations

from typing import Any

from rest_framework import serializers, viewsets
from rest_framework.pagination import BasePagination

# Ids are 64-bit in every supported database; a longer number cannot name a row, and letting it
# reach the database would be a server error instead of a 404.
ID_PATTERN = r"[0-9]{1,18}"


class WorkbenchViewSet(viewsets.GenericViewSet):
    """Authentication, permissions, throttling, parsing and errors come from REST_FRAMEWORK settings."""

    lookup_value_regex = ID_PATTERN
    pagination_class: type[BasePagination] | None = None


def validated(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
