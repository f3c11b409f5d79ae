"""Explainers: reusable context attached to many claims. Reviewers write and attach them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ...errors import NotFoundError
from ...models import Explainer
from ...roles import can_review
from ...services import explainers as explainer_services
from ..inputs import StringField, id_field
from ..pagination import KeysetPagination
from .base import WorkbenchViewSet, validated


class ExplainerSerializer(serializers.ModelSerializer):
    claim_ids = serializers.SerializerMethodField()

    class Meta:
        model = Explainer
        fields = ["id", "title", "body", "sources", "claim_ids", "created_at", "updated_at"]
        read_only_fields = fields

    def get_claim_ids(self, explainer: Explainer) -> list[int]:
        return sorted(claim.pk for claim in explainer.claims.all())


class ExplainerInput(serializers.Serializer):
    title = StringField(max_length=300)
    body = StringField(max_length=50_000)
    sources = serializers.ListField(child=StringField(max_length=2000), max_length=20, required=False, default=list)


class ExplainerUpdateInput(serializers.Serializer):
    title = StringField(max_length=300, required=False)
    body = StringField(max_length=50_000, required=False)
    sources = serializers.ListField(child=StringField(max_length=2000), max_length=20, required=False)


class ExplainerClaimsInput(serializers.Serializer):
    claim_ids = serializers.ListField(child=id_field(), min_length=1, max_length=500)


def _explainers(request: Request):  # type: ignore[no-untyped-def]
    if not can_review(request.user):
        return Explainer.objects.none()
    return Explainer.objects.prefetch_related("claims")


class ExplainerViewSet(WorkbenchViewSet):
    queryset = Explainer.objects.none()
    serializer_class = ExplainerSerializer
    pagination_class = KeysetPagination

    @extend_schema(responses=ExplainerSerializer(many=True))
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(_explainers(request))
        return self.get_paginated_response(ExplainerSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        explainer = _explainers(request).filter(pk=int(pk)).first()
        if explainer is None:
            raise NotFoundError("Explainer not found.", explainer_id=int(pk))
        return Response(ExplainerSerializer(explainer).data)

    @extend_schema(request=ExplainerInput, responses={201: ExplainerSerializer})
    def create(self, request: Request) -> Response:
        data = validated(ExplainerInput, request.data)
        explainer = explainer_services.explainer_create(user=request.user, **data)
        return Response(ExplainerSerializer(explainer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ExplainerUpdateInput, responses=ExplainerSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        data = validated(ExplainerUpdateInput, request.data)
        explainer = explainer_services.explainer_update(user=request.user, explainer_id=int(pk), **data)
        return Response(ExplainerSerializer(explainer).data)

    @extend_schema(request=ExplainerClaimsInput, responses=ExplainerSerializer)
    @action(detail=True, methods=["post"])
    def attach(self, request: Request, pk: str) -> Response:
        """Attach the explainer to claims; their public pages and exports show it."""
        data = validated(ExplainerClaimsInput, request.data)
        explainer = explainer_services.explainer_attach(user=request.user, explainer_id=int(pk), **data)
        return Response(ExplainerSerializer(explainer).data)

    @extend_schema(request=ExplainerClaimsInput, responses=ExplainerSerializer)
    @action(detail=True, methods=["post"])
    def detach(self, request: Request, pk: str) -> Response:
        data = validated(ExplainerClaimsInput, request.data)
        explainer = explainer_services.explainer_detach(user=request.user, explainer_id=int(pk), **data)
        return Response(ExplainerSerializer(explainer).data)
