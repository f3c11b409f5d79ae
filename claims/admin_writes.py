"""The admin writes through the services, like every other door: its forms only parse input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from .errors import WorkbenchError


class _RefusedByService(Exception):
    def __init__(self, error: WorkbenchError) -> None:
        super().__init__(error.message)
        self.error = error


class ServiceWriteAdmin(admin.ModelAdmin):
    """A ModelAdmin whose add, change and delete call a service instead of saving the form.

    Subclasses implement ``service_create`` / ``service_update`` (returning the saved object) and
    ``service_delete``. When the service refuses (a stale version, no lease, bad input), the admin's
    transaction is rolled back and the page is shown again with what was typed and the reason.
    """

    def service_create(self, request: HttpRequest, form: forms.ModelForm) -> Model:
        raise NotImplementedError

    def service_update(self, request: HttpRequest, obj: Model, form: forms.ModelForm) -> Model:
        raise NotImplementedError

    def service_delete(self, request: HttpRequest, obj: Model) -> None:
        raise NotImplementedError

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _RefusedByService as refusal:
            # Nothing was written (the admin's transaction ended with the refusal). Process the
            # same POST again with the form told why, so it is shown as posted, refused.
            request._service_refusal = refusal.error  # type: ignore[attr-defined]
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request: HttpRequest, obj: Model | None = None, change: bool = False, **kwargs: Any) -> Any:
        form_class = super().get_form(request, obj, change, **kwargs)
        refusal: WorkbenchError | None = getattr(request, "_service_refusal", None)
        if refusal is None:
            return form_class

        class RefusedForm(form_class):  # type: ignore[misc, valid-type]
            def clean(self) -> dict[str, Any]:
                cleaned = super().clean()
                raise forms.ValidationError(refusal.message, code="refused")
                return cleaned  # pragma: no cover

        return RefusedForm

    def save_model(self, request: HttpRequest, obj: Model, form: forms.ModelForm, change: bool) -> None:
        try:
            saved = self.service_update(request, obj, form) if change else self.service_create(request, form)
        except WorkbenchError as error:
            raise _RefusedByService(error) from error
        # The admin goes on to log the change and redirect to the object, by its id.
        obj.pk = saved.pk

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool) -> None:
        """Inlines of these pages are read-only: the service wrote everything there is to write, and
        nothing posted for an inline is saved."""
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        self.service_delete(request, obj)

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except WorkbenchError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Deleting goes one row at a time, through the service, so a refusal names its row.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that change only through a workflow (the page's actions call its services)."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """History is for reading. Reverting to an older version would save that version around the
    services (a published verdict back to a draft, a claim to a stale annotation): refused."""

    def revert_disabled(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return True

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
