"""The rating scale and the exports of published verdicts."""

from __future__ import annotations

from typing import Any

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from ...exports import claimreview, jsonl
from ...models import Rating
from ...selectors import ratings_active
from ...services.exports import EXPORT_FORMATS, claims_export
from ..inputs import ExportQuery
from ..serializers import RatingSerializer
from .base import WorkbenchViewSet, validated


class RatingViewSet(WorkbenchViewSet):
    queryset = Rating.objects.none()
    serializer_class = RatingSerializer

    def list(self, request: Request) -> Response:
        """The active verdict scale, in display order."""
        return Response(RatingSerializer(ratings_active(), many=True).data)


class _ExportRenderer(BaseRenderer):
    """Lets a client ask for an export's own media type. The export itself bypasses rendering
    (it is streamed); only an error body passes through here, as JSON."""

    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return JSONRenderer().render(data)


class ClaimReviewRenderer(_ExportRenderer):
    media_type = claimreview.CONTENT_TYPE
    format = "claimreview"


class CsvRenderer(_ExportRenderer):
    media_type = "text/csv"
    format = "csv"


class JsonLinesRenderer(_ExportRenderer):
    media_type = jsonl.CONTENT_TYPE
    format = "jsonl"


class ExportViewSet(WorkbenchViewSet):
    lookup_field = "export_format"
    lookup_value_regex = "|".join(EXPORT_FORMATS)
    renderer_classes = [JSONRenderer, ClaimReviewRenderer, CsvRenderer, JsonLinesRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("export_format", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(EXPORT_FORMATS)),
            ExportQuery,
        ],
        responses={
            (200, claimreview.CONTENT_TYPE): OpenApiTypes.OBJECT,
            (200, "text/csv"): OpenApiTypes.STR,
            (200, jsonl.CONTENT_TYPE): OpenApiTypes.STR,
        },
    )
    def retrieve(self, request: Request, export_format: str) -> StreamingHttpResponse:
        """Every published verdict, streamed: ClaimReview JSON-LD, CSV or JSON Lines.
        With ``since``, only claims changed after that instant (for incremental sync)."""
        query = validated(ExportQuery, request.query_params)
        export = claims_export(export_format=export_format, since=query.get("since"))
        response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response
