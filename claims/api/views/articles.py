"""Articles: ingest (honouring an Idempotency-Key header) and read."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ...models import Article
from ...selectors import article_get_for_user
from ...services.articles import article_extraction_retry, article_ingest
from ...services.idempotency import idempotent_response, request_fingerprint
from ..inputs import ArticleIngestInput
from ..serializers import ArticleSerializer
from .base import WorkbenchViewSet, validated

IDEMPOTENCY_HEADER = "Idempotency-Key"


class ArticleViewSet(WorkbenchViewSet):
    queryset = Article.objects.none()
    serializer_class = ArticleSerializer

    @extend_schema(responses=ArticleSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        article = article_get_for_user(user=request.user, article_id=int(pk))
        return Response(ArticleSerializer(article, context=self.get_serializer_context()).data)

    @extend_schema(
        request=ArticleIngestInput,
        responses={202: ArticleSerializer, 200: ArticleSerializer},
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description=(
                    "Retrying with the same key returns the first response instead of ingesting again. While "
                    "the first request with the key is still running, the answer is 409 with Retry-After."
                ),
            )
        ],
    )
    def create(self, request: Request) -> Response:
        """Store an article and queue the extraction of its claims. 202 when stored now: follow
        `api_url` (also the Location header) until `extraction_status` is `done` (or `failed`, with
        `extraction_error`); 200 when the same URL or content was stored before (that article is returned)."""
        data = validated(ArticleIngestInput, request.data)

        def ingest() -> tuple[int, Any]:
            result = article_ingest(user=request.user, background=True, **data)
            context = {**self.get_serializer_context(), "just_stored": result.created}
            body = ArticleSerializer(result.article, context=context).data
            return (status.HTTP_202_ACCEPTED if result.created else status.HTTP_200_OK), body

        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is None:
            code, body = ingest()
            return Response(body, status=code, headers={"Location": body["api_url"]})
        recorded = idempotent_response(
            user=request.user,
            key=key,
            fingerprint=request_fingerprint(method=request.method, path=request.path, payload=request.data),
            produce=ingest,
        )
        body = recorded.body if isinstance(recorded.body, dict) else {}
        headers = {"Location": body["api_url"]} if "api_url" in body else {}
        if recorded.replayed:
            headers["Idempotent-Replayed"] = "true"
        return Response(recorded.body, status=recorded.status, headers=headers)

    @extend_schema(request=None, responses=ArticleSerializer)
    @action(detail=True, methods=["post"], url_path="retry-extraction")
    def retry_extraction(self, request: Request, pk: str) -> Response:
        """Queue a failed extraction again (or one lost for EXTRACTION_STALE_SECONDS); 202."""
        article = article_extraction_retry(user=request.user, article_id=int(pk))
        return Response(
            ArticleSerializer(article, context=self.get_serializer_context()).data, status=status.HTTP_202_ACCEPTED
        )
