from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import serializers, viewsets
from rest_framework.pagination import BasePagination

from ...views.base import CONTENT_SECURITY_POLICY
from ..exceptions import error_body

# Swagger UI sets style attributes from its scripts; styles cannot run code, scripts stay 'self' only.
DOCS_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")

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


@csrf_exempt
def endpoint_not_found(request: HttpRequest, unmatched: str = "") -> JsonResponse:
    """Any path under /api/ that names no endpoint (an unknown resource, an id that is not a
    number, a traversal attempt) gets the API's error body, not the site's HTML 404 page."""
    message = "No API endpoint at this path."
    if not request.path.endswith("/"):
        # Without this route Django would redirect to the slashed path, and a POST would lose its body.
        try:
            resolved = resolve(request.path + "/")
        except Resolver404:
            resolved = None
        if resolved is not None and resolved.url_name != "api-not-found":
            message = f"No API endpoint at this path; API paths end with a slash: {request.path}/"
    return JsonResponse(error_body(message, path=request.path[:200]), status=404)


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI with its start-up script served as a file, so the page needs no inline script."""

    @extend_schema(exclude=True)
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_CONTENT_SECURITY_POLICY
        return response
