"""Webhooks in the back office: endpoints (written through the webhook services) and the delivery
log, with redelivery as an action."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.db.models import Model
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from .admin_writes import ReadOnlyAdmin, ServiceWriteAdmin
from .choices import WebhookEventType
from .errors import WorkbenchError
from .models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from .services import webhooks as webhook_services


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=2000, assume_scheme="https")
    events = forms.MultipleChoiceField(choices=WebhookEventType.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "events", "is_active"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ServiceWriteAdmin):
    form = WebhookEndpointForm
    list_display = ("url", "description", "event_list", "is_active", "failing_since", "disabled_at")
    list_filter = ("is_active",)
    readonly_fields = ("secret", "disabled_at", "disabled_reason", "failing_since", "created_at", "updated_at")

    @admin.display(description="events")
    def event_list(self, endpoint: WebhookEndpoint) -> str:
        return ", ".join(endpoint.events)

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None):  # type: ignore[no-untyped-def]
        # The secret is made when the endpoint is registered, then shown here to configure the receiver.
        return self.readonly_fields if obj is not None else ()

    def service_create(self, request: HttpRequest, form: forms.ModelForm) -> Model:
        endpoint = webhook_services.webhook_endpoint_create(
            user=request.user,
            url=form.cleaned_data["url"],
            events=form.cleaned_data["events"],
            description=form.cleaned_data.get("description", ""),
        )
        messages.info(request, f"Signing secret for {endpoint.url}: {endpoint.secret}")
        return endpoint

    def service_update(self, request: HttpRequest, obj: Model, form: forms.ModelForm) -> Model:
        return webhook_services.webhook_endpoint_update(
            user=request.user,
            endpoint_id=obj.pk,
            url=form.cleaned_data["url"],
            events=form.cleaned_data["events"],
            description=form.cleaned_data.get("description", ""),
            is_active=form.cleaned_data["is_active"],
        )

    def service_delete(self, request: HttpRequest, obj: Model) -> None:
        webhook_services.webhook_endpoint_delete(user=request.user, endpoint_id=obj.pk)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "response_status",
        "last_attempt_at",
        "next_attempt_at",
    )
    list_filter = ("status", "endpoint", "event__event_type")
    list_select_related = ("event", "endpoint")
    search_fields = ("event__event_id",)
    readonly_fields = (
        "endpoint",
        "event",
        "status",
        "attempts",
        "first_attempt_at",
        "last_attempt_at",
        "next_attempt_at",
        "response_status",
        "response_body",
        "error",
        "delivered_at",
        "attempts_table",
        "payload",
    )
    exclude = ("attempt_log",)
    actions = ["redeliver"]

    @admin.display(description="event")
    def event_type(self, delivery: WebhookDelivery) -> str:
        return delivery.event.event_type

    @admin.display(description="attempts so far")
    def attempts_table(self, delivery: WebhookDelivery) -> str:
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} ms</td></tr>",
            (
                (entry.get("at"), entry.get("status") or "—", entry.get("error") or "", entry.get("ms"))
                for entry in delivery.attempt_log
            ),
        )
        return format_html("<table><tr><th>at</th><th>answer</th><th>error</th><th>took</th></tr>{}</table>", rows)

    @admin.display(description="payload")
    def payload(self, delivery: WebhookDelivery) -> str:
        return format_html("<pre>{}</pre>", json.dumps(delivery.event.payload, indent=2, ensure_ascii=False))

    @admin.action(description="Send selected deliveries again")
    def redeliver(self, request, queryset):  # type: ignore[no-untyped-def]
        sent = 0
        for delivery in queryset:
            try:
                webhook_services.webhook_delivery_redeliver(user=request.user, delivery_id=delivery.pk)
                sent += 1
            except WorkbenchError as error:
                messages.error(request, f"#{delivery.pk}: {error.message}")
        if sent:
            messages.success(request, f"Queued {sent} deliveries again.")


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ("event_id", "event_type", "created_at")
    list_filter = ("event_type",)
    search_fields = ("event_id",)
