"""Decisions on what a claim collected: removing evidence, accepting or rejecting suggestions,
confirming or dismissing the automatic checks' findings."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ...models import Evidence, Finding, Suggestion
from ...services import evidence as evidence_services
from ...services import findings as finding_services
from ...services import suggestions as suggestion_services
from ..inputs import SuggestionAcceptInput
from ..serializers import FindingSerializer, SuggestionSerializer
from .base import WorkbenchViewSet, validated


class EvidenceViewSet(WorkbenchViewSet):
    queryset = Evidence.objects.none()

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request: Request, pk: str) -> Response:
        """Remove evidence from a claim you hold."""
        evidence_services.evidence_remove(user=request.user, evidence_id=int(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SuggestionViewSet(WorkbenchViewSet):
    queryset = Suggestion.objects.none()
    serializer_class = SuggestionSerializer

    @extend_schema(request=SuggestionAcceptInput, responses=SuggestionSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        """Accepting a source passage adds it as evidence with the given stance."""
        data = validated(SuggestionAcceptInput, request.data)
        suggestion = suggestion_services.suggestion_accept(
            user=request.user, suggestion_id=int(pk), stance=data["stance"], note=data["note"]
        )
        return Response(SuggestionSerializer(suggestion, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=SuggestionSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        suggestion = suggestion_services.suggestion_reject(user=request.user, suggestion_id=int(pk))
        return Response(SuggestionSerializer(suggestion, context=self.get_serializer_context()).data)


class FindingViewSet(WorkbenchViewSet):
    queryset = Finding.objects.none()
    serializer_class = FindingSerializer

    @extend_schema(request=None, responses=FindingSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        finding = finding_services.finding_confirm(user=request.user, finding_id=int(pk))
        return Response(FindingSerializer(finding, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=FindingSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request: Request, pk: str) -> Response:
        finding = finding_services.finding_dismiss(user=request.user, finding_id=int(pk))
        return Response(FindingSerializer(finding, context=self.get_serializer_context()).data)
