"""The Content-Security-Policy on every response. Django 5.2 has no setting for it; the other
security headers come from SecurityMiddleware and XFrameOptionsMiddleware (settings in base.py)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

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


class RequestTooLargeMiddleware:
    """A form post larger than DATA_UPLOAD_MAX_MEMORY_SIZE gets the workbench's 413 page, with debug
    pages on or off. Django raises RequestDataTooBig wherever the form is first read (the CSRF check
    reads it before any view), and with DEBUG on it would answer with a traceback. The API reads its
    own bodies (with its own 413) and is left alone."""

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method == "POST"
            and request.content_type in self.FORM_TYPES
            and not request.path.startswith("/api/")
        ):
            try:
                request.POST  # noqa: B018 - read once here, where the refusal can still be answered well
            except RequestDataTooBig:
                response = render(
                    request,
                    "claims/too_large.html",
                    {"limit_mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)},
                    status=413,
                )
                # Answered before the policy middleware further in would see it.
                response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
                return response
        return self.get_response(request)
