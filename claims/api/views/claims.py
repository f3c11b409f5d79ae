"""Claims: the list and detail, the review queue, evidence and the verdict workflow."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ...errors import NotFoundError
from ...filters import ClaimFilter
from ...models import Claim
from ...selectors import claim_get_for_user, claim_list_for_user
from ...services import annotations as annotation_services
from ...services import appearances as appearance_services
from ...services import evidence as evidence_services
from ...services import review as review_services
from ...services import verdicts as verdict_services
from ...services.bulk import claims_bulk
from ..inputs import (
    AppearanceSplitInput,
    ClaimAnnotationsInput,
    ClaimBulkInput,
    ClaimMergeInput,
    EvidenceAddInput,
    ExpectedVersionInput,
    VerdictDraftInput,
    VerdictReopenInput,
    VerdictSendBackInput,
)
from ..pagination import KeysetPagination
from ..serializers import (
    ClaimBulkResultSerializer,
    ClaimDetailSerializer,
    ClaimSerializer,
    EvidenceSerializer,
    VerdictSerializer,
)
from .base import WorkbenchViewSet, validated


class ClaimViewSet(WorkbenchViewSet):
    queryset = Claim.objects.none()
    serializer_class = ClaimSerializer
    pagination_class = KeysetPagination

    def _detail(self, claim: Claim, *, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(ClaimDetailSerializer(claim, context=self.get_serializer_context()).data, status=status_code)

    def _verdict(self, verdict: object) -> Response:
        return Response(VerdictSerializer(verdict, context=self.get_serializer_context()).data)

    filter_backends = [DjangoFilterBackend]
    filterset_class = ClaimFilter

    @extend_schema(responses=ClaimSerializer(many=True))
    def list(self, request: Request) -> Response:
        """Claims, narrowed by the same parameters as the queue page (``q``, ``status``, ``claim_type``,
        ``ordering``, ...)."""
        filters = ClaimFilter(request.query_params, queryset=claim_list_for_user(user=request.user), request=request)
        if not filters.is_valid():
            # Reported like any other invalid input (the first problem in the message, all of them in extra).
            raise serializers.ValidationError({name: list(errors) for name, errors in filters.errors.items()})
        claims = filters.qs.defer("embedding", "article__body")
        self.list_ordering = filters.ordering_chosen("-id")
        page = self.paginate_queryset(claims)
        return self.get_paginated_response(ClaimSerializer(page, many=True, context=self.get_serializer_context()).data)

    @extend_schema(responses=ClaimDetailSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        return self._detail(claim_get_for_user(user=request.user, claim_id=int(pk)))

    @extend_schema(
        request=ClaimAnnotationsInput,
        responses={
            200: ClaimDetailSerializer,
            409: OpenApiResponse(
                description="The claim changed since `expected_version`, or another reviewer holds it."
            ),
        },
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        """Correct the claim's speaker, types, entities or dates (its text and offsets never change)."""
        data = validated(ClaimAnnotationsInput, request.data)
        claim = annotation_services.claim_annotations_correct(user=request.user, claim_id=int(pk), **data)
        return self._detail(claim_get_for_user(user=request.user, claim_id=claim.pk))

    @extend_schema(
        request=None,
        responses={200: ClaimDetailSerializer, 204: OpenApiResponse(description="The queue is empty.")},
    )
    @action(detail=False, methods=["post"], url_path="take-next")
    def take_next(self, request: Request) -> Response:
        """Take the highest-priority free claim under a lease (or get back the one you hold)."""
        claim = review_services.review_take_next(user=request.user)
        if claim is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return self._detail(claim)

    @extend_schema(request=None, responses=ClaimDetailSerializer)
    @action(detail=True, methods=["post"])
    def take(self, request: Request, pk: str) -> Response:
        return self._detail(review_services.review_take(user=request.user, claim_id=int(pk)))

    @extend_schema(request=None, responses=ClaimSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request: Request, pk: str) -> Response:
        claim = review_services.review_release(user=request.user, claim_id=int(pk))
        return Response(ClaimSerializer(claim, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=ClaimSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request: Request, pk: str) -> Response:
        """Push your lease's expiry forward."""
        claim = review_services.review_extend(user=request.user, claim_id=int(pk))
        return Response(ClaimSerializer(claim, context=self.get_serializer_context()).data)

    @extend_schema(request=ExpectedVersionInput, responses=ClaimSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request: Request, pk: str) -> Response:
        """Mark the claim as not worth checking."""
        data = validated(ExpectedVersionInput, request.data)
        claim = review_services.claim_dismiss(
            user=request.user, claim_id=int(pk), expected_version=data.get("expected_version")
        )
        return Response(ClaimSerializer(claim, context=self.get_serializer_context()).data)

    @extend_schema(request=ExpectedVersionInput, responses=ClaimSerializer)
    @action(detail=True, methods=["post"])
    def promote(self, request: Request, pk: str) -> Response:
        """Put a sentence scored below the threshold (or a dismissed claim) into the review queue."""
        data = validated(ExpectedVersionInput, request.data)
        claim = review_services.claim_promote(
            user=request.user, claim_id=int(pk), expected_version=data.get("expected_version")
        )
        return Response(ClaimSerializer(claim, context=self.get_serializer_context()).data)

    @extend_schema(request=EvidenceAddInput, responses={201: EvidenceSerializer})
    @action(detail=True, methods=["post"], url_path="evidence")
    def evidence_add(self, request: Request, pk: str) -> Response:
        data = validated(EvidenceAddInput, request.data)
        evidence = evidence_services.evidence_add(
            user=request.user,
            claim_id=int(pk),
            source_id=data["source"],
            passage_id=data["passage"],
            stance=data["stance"],
            excerpt=data["excerpt"],
            note=data["note"],
        )
        return Response(
            EvidenceSerializer(evidence, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses=VerdictSerializer)
    @action(detail=True, methods=["get"])
    def verdict(self, request: Request, pk: str) -> Response:
        claim = claim_get_for_user(user=request.user, claim_id=int(pk))
        if not hasattr(claim, "verdict"):
            raise NotFoundError("This claim has no verdict yet.", claim_id=claim.pk)
        return self._verdict(claim.verdict)

    @extend_schema(request=VerdictDraftInput, responses=VerdictSerializer)
    @verdict.mapping.put
    def verdict_draft(self, request: Request, pk: str) -> Response:
        """Draft or revise the verdict of a claim you hold; it then goes to an editor."""
        data = validated(VerdictDraftInput, request.data)
        verdict = verdict_services.verdict_draft(
            user=request.user,
            claim_id=int(pk),
            rating=data["rating"],
            explanation=data["explanation"],
            corrected_statement=data["corrected_statement"],
            expected_version=data.get("expected_version"),
        )
        return self._verdict(verdict)

    @extend_schema(request=ExpectedVersionInput, responses=VerdictSerializer)
    @action(detail=True, methods=["post"], url_path="verdict/approve")
    def verdict_approve(self, request: Request, pk: str) -> Response:
        data = validated(ExpectedVersionInput, request.data)
        return self._verdict(
            verdict_services.verdict_approve(
                user=request.user, claim_id=int(pk), expected_version=data.get("expected_version")
            )
        )

    @extend_schema(request=VerdictSendBackInput, responses=VerdictSerializer)
    @action(detail=True, methods=["post"], url_path="verdict/send-back")
    def verdict_send_back(self, request: Request, pk: str) -> Response:
        data = validated(VerdictSendBackInput, request.data)
        return self._verdict(
            verdict_services.verdict_send_back(
                user=request.user,
                claim_id=int(pk),
                comment=data["comment"],
                expected_version=data.get("expected_version"),
            )
        )

    @extend_schema(request=ExpectedVersionInput, responses=VerdictSerializer)
    @action(detail=True, methods=["post"], url_path="verdict/publish")
    def verdict_publish(self, request: Request, pk: str) -> Response:
        data = validated(ExpectedVersionInput, request.data)
        return self._verdict(
            verdict_services.verdict_publish(
                user=request.user, claim_id=int(pk), expected_version=data.get("expected_version")
            )
        )

    @extend_schema(request=VerdictReopenInput, responses=VerdictSerializer)
    @action(detail=True, methods=["post"], url_path="verdict/reopen")
    def verdict_reopen(self, request: Request, pk: str) -> Response:
        """The only way to change a published verdict."""
        data = validated(VerdictReopenInput, request.data)
        return self._verdict(
            verdict_services.verdict_reopen(
                user=request.user,
                claim_id=int(pk),
                reason=data["reason"],
                expected_version=data.get("expected_version"),
            )
        )

    @extend_schema(request=ClaimBulkInput, responses=ClaimBulkResultSerializer)
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> Response:
        """Dismiss, promote, assign or release many claims. ``confirm_count`` must equal the number of
        ids (the count the person confirmed), or nothing changes. Each claim follows the single
        action's rules; those refused are listed with the reason."""
        data = validated(ClaimBulkInput, request.data)
        result = claims_bulk(
            user=request.user,
            action=data["action"],
            claim_ids=data["ids"],
            confirm_count=data["confirm_count"],
            assignee=data.get("assignee", ""),
        )
        return Response({"done": result.done, "refused": [{"id": k, "message": v} for k, v in result.refused.items()]})

    @extend_schema(request=ClaimMergeInput, responses=ClaimDetailSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str) -> Response:
        """Merge this claim into ``into``: its appearances move there, and it leaves the queue."""
        data = validated(ClaimMergeInput, request.data)
        claim_get_for_user(user=request.user, claim_id=int(pk))
        merged = appearance_services.claim_merge(user=request.user, claim_id=int(pk), into_claim_id=data["into"])
        return self._detail(claim_get_for_user(user=request.user, claim_id=merged.pk))

    @extend_schema(request=AppearanceSplitInput, responses={201: ClaimDetailSerializer})
    @action(detail=True, methods=["post"])
    def split(self, request: Request, pk: str) -> Response:
        """Split one of this claim's appearances off into a new claim of its own (201, the new claim)."""
        data = validated(AppearanceSplitInput, request.data)
        if (
            not claim_get_for_user(user=request.user, claim_id=int(pk))
            .appearances.filter(pk=data["appearance"])
            .exists()
        ):
            raise NotFoundError("This claim has no such appearance.", appearance_id=data["appearance"])
        claim = appearance_services.appearance_split(user=request.user, appearance_id=data["appearance"])
        return self._detail(
            claim_get_for_user(user=request.user, claim_id=claim.pk), status_code=status.HTTP_201_CREATED
        )
