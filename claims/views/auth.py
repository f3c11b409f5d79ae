"""Sign-in and sign-out: Django's own views, with the workbench's template and headers."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import reverse_lazy

from .base import with_security_headers


class LoginView(auth_views.LoginView):
    template_name = "claims/login.html"
    redirect_authenticated_user = True
    next_page = reverse_lazy("claims:queue")

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        return with_security_headers(super().dispatch(request, *args, **kwargs))


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("claims:login")

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        return with_security_headers(super().dispatch(request, *args, **kwargs))
