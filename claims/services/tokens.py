"""API tokens for external tools. The secret is shown once, when the token is created; only its
SHA-256 is stored. A fast hash is enough here: the secret is 256 random bits, not a password, so
there is nothing to brute-force, and it lets a request find its token with one indexed look-up."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from ..choices import TokenScope
from ..errors import InvalidInputError, NotFoundError, PermissionDeniedError
from ..models import ApiToken
from ..roles import User, can_administer

SECRET_PREFIX = "cwb_"
MAX_NAME_CHARS = 100
# last_used_at is for people auditing tokens, not for billing: one write a minute per token is plenty,
# and it keeps busy tools from turning every read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def token_create(*, user: User, name: str, scope: str = TokenScope.READ, created_by: User | None = None) -> IssuedToken:
    """Issue a token acting as ``user``. ``created_by`` is whoever asks (None for the command line):
    people may create tokens for themselves, admins for anyone."""
    if created_by is not None and created_by.pk != user.pk and not can_administer(created_by):
        raise PermissionDeniedError("Only admins can create tokens for someone else.")
    if not user.is_active:
        raise InvalidInputError("Tokens can only be created for active users.")
    name = name.strip()
    if not name or len(name) > MAX_NAME_CHARS:
        raise InvalidInputError(f"Give the token a name of 1 to {MAX_NAME_CHARS} characters (the tool using it).")
    if scope not in TokenScope.values:
        raise InvalidInputError(f"Scope must be one of: {', '.join(TokenScope.values)}.", scope=scope)
    body = secrets.token_urlsafe(32)
    secret = SECRET_PREFIX + body
    token = ApiToken.objects.create(
        user=user,
        name=name,
        scope=scope,
        prefix=secret[: len(SECRET_PREFIX) + 6],
        key_hash=secret_hash(secret),
    )
    return IssuedToken(token=token, secret=secret)


def token_revoke(*, user: User, token_id: int) -> ApiToken:
    """Revoke a token (its owner or an admin may). Revoking twice keeps the first revocation time."""
    token = ApiToken.objects.filter(pk=token_id).first()
    if token is None:
        raise NotFoundError("Token not found.", token_id=token_id)
    if token.user_id != user.pk and not can_administer(user):
        raise PermissionDeniedError("Only the token's owner or an admin can revoke it.")
    ApiToken.objects.filter(pk=token_id, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token


def token_authenticate(*, secret: str) -> ApiToken | None:
    """The live token with this secret (its user loaded), or None if unknown, revoked or its user inactive."""
    if not secret.startswith(SECRET_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=secret_hash(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at <= now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
        token.last_used_at = now
    return token
