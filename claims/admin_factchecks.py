"""Back office for other organisations' fact-checks (read-mostly: they come in by import) and the
rating map that reads their ratings on the desk's scale."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html

from .admin_writes import ServiceWriteAdmin
from .models import ExternalFactCheck, RatingMapping
from .services import factchecks as factcheck_services


@admin.register(ExternalFactCheck)
class ExternalFactCheckAdmin(ServiceWriteAdmin):
    """Fact-checks are added and refreshed by importing them (``import_factchecks``, the API); here
    they are read, and removed through the service (which keeps a library entry cited as evidence)."""

    list_display = ("claim_text_short", "publisher", "rating_text", "desk_rating", "reviewed_at", "language", "link")
    list_filter = ("language", "publisher")
    search_fields = ("claim_text", "title", "url", "claimant", "rating_text")
    date_hierarchy = "reviewed_at"
    readonly_fields = [field.name for field in ExternalFactCheck._meta.fields] + ["desk_rating"]

    @admin.display(description="claim")
    def claim_text_short(self, obj: ExternalFactCheck) -> str:
        return obj.claim_text[:100]

    @admin.display(description="desk rating (rating map)")
    def desk_rating(self, obj: ExternalFactCheck) -> str:
        rating = factcheck_services.rating_for_factcheck(factcheck=obj)
        return str(rating) if rating else "–"

    @admin.display(description="fact-check")
    def link(self, obj: ExternalFactCheck) -> str:
        return format_html('<a href="{}" rel="noopener noreferrer" target="_blank">open</a>', obj.url)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ExternalFactCheck | None = None) -> bool:
        return False

    def service_delete(self, request: HttpRequest, obj: ExternalFactCheck) -> None:  # type: ignore[override]
        factcheck_services.factcheck_delete(user=request.user, factcheck_id=obj.pk)


class RatingMappingForm(forms.ModelForm):
    class Meta:
        model = RatingMapping
        fields = ("publisher", "rating_text", "rating")


@admin.register(RatingMapping)
class RatingMappingAdmin(ServiceWriteAdmin):
    form = RatingMappingForm
    list_display = ("publisher_or_any", "rating_text", "rating")
    list_filter = ("rating", "publisher")
    search_fields = ("publisher", "rating_text")

    @admin.display(description="publisher", ordering="publisher")
    def publisher_or_any(self, obj: RatingMapping) -> str:
        return obj.publisher or "(any publisher)"

    def _save(self, request: HttpRequest, form: forms.ModelForm, mapping_id: int | None) -> RatingMapping:
        data = form.cleaned_data
        return factcheck_services.rating_mapping_save(
            user=request.user,
            publisher=data["publisher"],
            rating_text=data["rating_text"],
            rating_id=data["rating"].pk,
            mapping_id=mapping_id,
        )

    def service_create(self, request: HttpRequest, form: forms.ModelForm) -> RatingMapping:
        return self._save(request, form, None)

    def service_update(self, request: HttpRequest, obj: RatingMapping, form: forms.ModelForm) -> RatingMapping:  # type: ignore[override]
        return self._save(request, form, obj.pk)

    def service_delete(self, request: HttpRequest, obj: RatingMapping) -> None:  # type: ignore[override]
        factcheck_services.rating_mapping_delete(user=request.user, mapping_id=obj.pk)
