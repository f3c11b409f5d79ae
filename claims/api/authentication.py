"""Token authentication for external tools: ``Authorization: Token <secret>`` (or ``Bearer <secret>``).

A request that names a token which is unknown or revoked is refused with 401 rather than treated as
anonymous: a tool whose token was revoked should learn so at once, not start seeing less data."""

from __future__ import annotations

from typing import Any

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from ..models import ApiToken
from ..services.tokens import token_authenticate

KEYWORDS = (b"token", b"bearer")


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Invalid token header: give the keyword and the token, separated by a space.")
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("Invalid token.") from None
        token = token_authenticate(secret=secret)
        if token is None:
            raise AuthenticationFailed("Invalid or revoked token.")
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # Naming a scheme here is what makes DRF answer 401 (not 403) to a request without credentials.
        return self.keyword
