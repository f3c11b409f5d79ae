"""The source library: list, read, add one, import many."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ...errors import NotFoundError
from ...models import Source
from ...selectors import source_list_for_user
from ...services import sources as source_services
from ..filters import sources_filtered
from ..inputs import SourceImportInput, SourceInput, SourceListQuery
from ..pagination import KeysetPagination
from ..serializers import SourceDetailSerializer, SourceImportReportSerializer, SourceSerializer
from .base import WorkbenchViewSet, validated


class SourceViewSet(WorkbenchViewSet):
    queryset = Source.objects.none()
    serializer_class = SourceSerializer
    pagination_class = KeysetPagination

    @extend_schema(parameters=[SourceListQuery], responses=SourceSerializer(many=True))
    def list(self, request: Request) -> Response:
        """The library, newest first."""
        query = validated(SourceListQuery, request.query_params)
        sources = sources_filtered(source_list_for_user(user=request.user), query=query)
        page = self.paginate_queryset(sources)
        return self.get_paginated_response(SourceSerializer(page, many=True).data)

    @extend_schema(responses=SourceDetailSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        source = source_list_for_user(user=request.user).filter(pk=int(pk)).first()
        if source is None:
            raise NotFoundError("Source not found.", source_id=int(pk))
        return Response(SourceDetailSerializer(source).data)

    @extend_schema(request=SourceInput, responses={201: SourceDetailSerializer})
    def create(self, request: Request) -> Response:
        """Add a source, or refresh the one with the same URL. Its passages are embedded in the background."""
        data = validated(SourceInput, request.data)
        source = source_services.source_create(user=request.user, **data)
        return Response(SourceDetailSerializer(source).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SourceImportInput, responses=SourceImportReportSerializer)
    @action(detail=False, methods=["post"], url_path="import")
    def bulk_import(self, request: Request) -> Response:
        """Add or refresh many sources at once (matched by URL)."""
        data = validated(SourceImportInput, request.data)
        report = source_services.sources_import(rows=data["sources"], user=request.user)
        return Response(SourceImportReportSerializer(report).data)
