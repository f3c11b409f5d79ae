"""Webhook endpoints and their delivery log, for admins: register, change, remove; read each
delivery's attempts; send one again."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ...choices import DeliveryStatus, WebhookEventType
from ...errors import NotFoundError
from ...models import WebhookDelivery, WebhookEndpoint
from ...roles import can_administer
from ...services import webhooks as webhook_services
from ..inputs import StringField, id_field
from ..pagination import KeysetPagination
from .base import WorkbenchViewSet, validated


class WebhookEndpointSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "events",
            "is_active",
            "disabled_at",
            "disabled_reason",
            "failing_since",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    """Only the answer to a registration shows the signing secret."""

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookEndpointInput(serializers.Serializer):
    url = StringField(max_length=2000)
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEventType.choices), min_length=1)
    description = StringField(max_length=200, required=False, allow_blank=True, default="")
    secret = StringField(
        max_length=100, required=False, allow_blank=True, default="", help_text="Leave out to have one made."
    )


class WebhookEndpointUpdateInput(serializers.Serializer):
    url = StringField(max_length=2000, required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEventType.choices), min_length=1, required=False
    )
    description = StringField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False, help_text="true turns a disabled endpoint on again.")


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event_id = serializers.CharField(source="event.event_id", read_only=True)
    event_type = serializers.CharField(source="event.event_type", read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint",
            "event_id",
            "event_type",
            "status",
            "attempts",
            "next_attempt_at",
            "first_attempt_at",
            "last_attempt_at",
            "response_status",
            "response_body",
            "error",
            "delivered_at",
            "attempt_log",
            "created_at",
        ]
        read_only_fields = fields


class WebhookDeliveryQuery(serializers.Serializer):
    endpoint = id_field(required=False)
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, required=False)


def _endpoints(request: Request):  # type: ignore[no-untyped-def]
    # The permission table admits admins only; the check is repeated where the rows are read.
    if not can_administer(request.user):
        return WebhookEndpoint.objects.none()
    return WebhookEndpoint.objects.all()


class WebhookEndpointViewSet(WorkbenchViewSet):
    queryset = WebhookEndpoint.objects.none()
    serializer_class = WebhookEndpointSerializer

    def _get(self, request: Request, pk: str) -> WebhookEndpoint:
        endpoint = _endpoints(request).filter(pk=int(pk)).first()
        if endpoint is None:
            raise NotFoundError("Webhook endpoint not found.", endpoint_id=int(pk))
        return endpoint

    def list(self, request: Request) -> Response:
        return Response(WebhookEndpointSerializer(_endpoints(request).order_by("id"), many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(WebhookEndpointSerializer(self._get(request, pk)).data)

    @extend_schema(request=WebhookEndpointInput, responses={201: WebhookEndpointCreatedSerializer})
    def create(self, request: Request) -> Response:
        """Register an endpoint. The answer carries the signing secret; it is not shown again."""
        data = validated(WebhookEndpointInput, request.data)
        endpoint = webhook_services.webhook_endpoint_create(user=request.user, **data)
        return Response(WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=WebhookEndpointUpdateInput, responses=WebhookEndpointSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        data = validated(WebhookEndpointUpdateInput, request.data)
        endpoint = webhook_services.webhook_endpoint_update(user=request.user, endpoint_id=int(pk), **data)
        return Response(WebhookEndpointSerializer(endpoint).data)

    def destroy(self, request: Request, pk: str) -> Response:
        webhook_services.webhook_endpoint_delete(user=request.user, endpoint_id=int(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveryViewSet(WorkbenchViewSet):
    queryset = WebhookDelivery.objects.none()
    serializer_class = WebhookDeliverySerializer
    pagination_class = KeysetPagination

    def _deliveries(self, request: Request):  # type: ignore[no-untyped-def]
        if not can_administer(request.user):
            return WebhookDelivery.objects.none()
        return WebhookDelivery.objects.select_related("event")

    @extend_schema(parameters=[WebhookDeliveryQuery], responses=WebhookDeliverySerializer(many=True))
    def list(self, request: Request) -> Response:
        """The delivery log, newest first: attempts, status, the endpoint's answer, the next try."""
        query = validated(WebhookDeliveryQuery, request.query_params)
        deliveries = self._deliveries(request)
        if "endpoint" in query:
            deliveries = deliveries.filter(endpoint_id=query["endpoint"])
        if "status" in query:
            deliveries = deliveries.filter(status=query["status"])
        page = self.paginate_queryset(deliveries)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        delivery = self._deliveries(request).filter(pk=int(pk)).first()
        if delivery is None:
            raise NotFoundError("Webhook delivery not found.", delivery_id=int(pk))
        return Response(WebhookDeliverySerializer(delivery).data)

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def redeliver(self, request: Request, pk: str) -> Response:
        """Send this delivery again, with a fresh set of attempts and the same event id."""
        delivery = webhook_services.webhook_delivery_redeliver(user=request.user, delivery_id=int(pk))
        delivery.refresh_from_db()
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
