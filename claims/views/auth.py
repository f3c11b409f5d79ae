"""Sign-in and sign-out: Django's own views, with the workbench's template and headers, and sign-in
refused with a clear message while the username or address is throttled."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import reverse_lazy

from ..roles import can_edit
from ..services.login_throttle import LoginThrottledError, client_address, login_throttle_check
from .base import with_security_headers


class LoginView(auth_views.LoginView):
    template_name = "claims/login.html"
    redirect_authenticated_user = True
    next_page = reverse_lazy("claims:queue")

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        return with_security_headers(super().dispatch(request, *args, **kwargs))

    def get_default_redirect_url(self) -> str:
        """Editors start their day at the editor's desk; reviewers at the queue."""
        if can_edit(self.request.user):
            return str(reverse_lazy("claims:editor"))
        return super().get_default_redirect_url()

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        username = request.POST.get("username", "")
        try:
            login_throttle_check(username=username, address=client_address(request))
        except LoginThrottledError as error:
            # An unbound form: validating the posted one would check the password after all.
            form = self.get_form_class()(request, initial={"username": username})
            response = self.render_to_response(self.get_context_data(form=form, throttled=error.message), status=429)
            response["Retry-After"] = str(error.extra["retry_after_seconds"])
            return response
        return super().post(request, *args, **kwargs)


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("claims:login")

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        return with_security_headers(super().dispatch(request, *args, **kwargs))
