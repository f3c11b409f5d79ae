"""Publishing in the back office: webhook endpoints (written through the webhook services), the
delivery log with redelivery as an action, and explainers."""

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
from .models import Explainer, WebhookDelivery, WebhookEndpoint, WebhookEvent
from .services import explainers as explainer_services
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


class ExplainerForm(forms.ModelForm):
    source_lines = forms.CharField(
        label="Sources", required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="One link per line."
    )

    claim_ids = forms.CharField(
        label="Claims", required=False, help_text="Ids of the claims it explains, separated by commas or spaces."
    )

    class Meta:
        model = Explainer
        fields = ["title", "body"]

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["source_lines"].initial = "\n".join(self.instance.sources)
            self.fields["claim_ids"].initial = " ".join(
                str(pk) for pk in self.instance.claims.order_by("pk").values_list("pk", flat=True)
            )

    def clean_claim_ids(self) -> list[int]:
        words = self.cleaned_data.get("claim_ids", "").replace(",", " ").split()
        if not all(word.isdigit() for word in words):
            raise forms.ValidationError("Give claim ids as numbers.")
        return sorted({int(word) for word in words})

    def sources(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("source_lines", "").splitlines() if line.strip()]


@admin.register(Explainer)
class ExplainerAdmin(ServiceWriteAdmin):
    form = ExplainerForm
    list_display = ("title", "claim_count", "updated_at")
    search_fields = ("title", "body")
    readonly_fields = ("attached_claims", "created_at", "updated_at")

    @admin.display(description="claims")
    def claim_count(self, explainer: Explainer) -> int:
        return explainer.claims.count()

    @admin.display(description="attached to")
    def attached_claims(self, explainer: Explainer) -> str:
        return format_html_join(
            "", "<div>#{} {}</div>", ((claim.pk, claim.text[:120]) for claim in explainer.claims.all())
        )

    def service_create(self, request: HttpRequest, form: ExplainerForm) -> Model:  # type: ignore[override]
        explainer = explainer_services.explainer_create(
            user=request.user, title=form.cleaned_data["title"], body=form.cleaned_data["body"], sources=form.sources()
        )
        return self._attach(request, explainer, form)

    def service_update(self, request: HttpRequest, obj: Model, form: ExplainerForm) -> Model:  # type: ignore[override]
        explainer = explainer_services.explainer_update(
            user=request.user,
            explainer_id=obj.pk,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            sources=form.sources(),
        )
        return self._attach(request, explainer, form)

    def _attach(self, request: HttpRequest, explainer: Explainer, form: forms.ModelForm) -> Explainer:
        wanted = set(form.cleaned_data["claim_ids"])
        current = set(explainer.claims.values_list("pk", flat=True))
        if wanted - current:
            explainer_services.explainer_attach(
                user=request.user, explainer_id=explainer.pk, claim_ids=wanted - current
            )
        if current - wanted:
            explainer_services.explainer_detach(
                user=request.user, explainer_id=explainer.pk, claim_ids=current - wanted
            )
        return explainer

    def service_delete(self, request: HttpRequest, obj: Model) -> None:
        explainer_services.explainer_delete(user=request.user, explainer_id=obj.pk)
