"""The Content-Security-Policy on every response. Django 5.2 has no setting for it; the other
security headers come from SecurityMiddleware and XFrameOptionsMiddleware (settings in base.py)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .views.base import CONTENT_SECURITY_POLICY

# JSON, CSV and other data are never rendered as a document that could run anything.
DATA_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            is_html = response.get("Content-Type", "").startswith("text/html")
            response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY if is_html else DATA_CONTENT_SECURITY_POLICY
        return response
