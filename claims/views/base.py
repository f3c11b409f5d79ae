"""What every page of the workbench shares: login, the Content-Security-Policy, and turning a
service's typed error into something a reviewer can read."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from ..errors import NotFoundError, PermissionDeniedError, WorkbenchError

# No inline scripts or styles anywhere: the article bodies on these pages come from the outside
# world, so even if escaping were ever lost, the browser would still refuse to run what they carry.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

View = Callable[..., HttpResponse]


def with_security_headers(response: HttpResponse) -> HttpResponse:
    """The page's own policy; Referrer-Policy, nosniff and the frame and opener policies come from
    SecurityMiddleware for every response, and claims.middleware covers responses made elsewhere."""
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


def error_page(request: HttpRequest, *, error: WorkbenchError) -> HttpResponse:
    return render(
        request,
        "claims/error.html",
        {"message": error.message, "status_code": error.status_code},
        status=error.status_code,
    )


def page(view: View) -> View:
    """A workbench page: sign-in required, security headers set, and a refusal or a missing object
    from a selector shown as a 403/404 page (the same rules the API applies)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url=reverse("claims:login"))
        try:
            response = view(request, *args, **kwargs)
        except (PermissionDeniedError, NotFoundError) as error:
            response = error_page(request, error=error)
        if getattr(request, "htmx", False) and request.htmx.boosted and request.method == "GET":
            # After a form posts and the server redirects, the browser's address must show where it landed.
            response.setdefault("HX-Push-Url", request.get_full_path())
        return with_security_headers(response)

    return wrapper


def back_to(request: HttpRequest, *, fallback: str) -> str:
    """Where an action returns to: the form's ``next``, else the page it was posted from (only ever
    a page of this site), else ``fallback``."""
    for target in (request.POST.get("next"), request.headers.get("Referer")):
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
    return fallback


def action(view: View) -> View:
    """A POST that calls one service. Success redirects (so a reload never repeats it); a refused
    action is shown as a message on the page the reviewer came from."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "POST":
            response = HttpResponse("Use POST.", status=405, content_type="text/plain")
            response["Allow"] = "POST"
            return with_security_headers(response)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url=reverse("claims:login"))
        try:
            response = view(request, *args, **kwargs)
        except (PermissionDeniedError, NotFoundError) as error:
            response = error_page(request, error=error)
        except WorkbenchError as error:
            messages.error(request, error.message)
            response = redirect(back_to(request, fallback=reverse("claims:queue")))
        return with_security_headers(response)

    return wrapper
