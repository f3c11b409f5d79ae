"""Other organisations' fact-checks: list them, import a feed."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ...factchecks.parsing import parse_json_document, parse_text
from ...models import ExternalFactCheck
from ...selectors import factcheck_list_for_user
from ...services import factchecks as factcheck_services
from ..inputs import FactCheckImportInput, FactCheckListQuery
from ..pagination import KeysetPagination
from ..serializers import ExternalFactCheckSerializer, FactCheckImportReportSerializer
from .base import WorkbenchViewSet, validated


class FactCheckViewSet(WorkbenchViewSet):
    queryset = ExternalFactCheck.objects.none()
    serializer_class = ExternalFactCheckSerializer
    pagination_class = KeysetPagination

    @extend_schema(parameters=[FactCheckListQuery], responses=ExternalFactCheckSerializer(many=True))
    def list(self, request: Request) -> Response:
        """Imported fact-checks, newest first."""
        query = validated(FactCheckListQuery, request.query_params)
        factchecks = factcheck_list_for_user(user=request.user)
        if query.get("publisher"):
            factchecks = factchecks.filter(publisher__iexact=query["publisher"])
        if query.get("language"):
            factchecks = factchecks.filter(language=query["language"].lower())
        page = self.paginate_queryset(factchecks)
        return self.get_paginated_response(ExternalFactCheckSerializer(page, many=True).data)

    @extend_schema(request=FactCheckImportInput, responses=FactCheckImportReportSerializer)
    @action(detail=False, methods=["post"], url_path="import")
    def bulk_import(self, request: Request) -> Response:
        """Import fact-checks (matched by URL: sending the same ones again changes nothing). Records
        that cannot be read are refused one by one and listed in ``errors``; the rest are imported."""
        data = validated(FactCheckImportInput, request.data)
        if "records" in data:
            records = parse_json_document(data["records"])
        else:
            records = parse_text(data["content"], format=data["format"])
        report = factcheck_services.factchecks_import(records=records, user=request.user)
        return Response(FactCheckImportReportSerializer(report).data)
