"""Who may call which endpoint: one table, read by one permission class, tested as a matrix.

Each endpoint is named ``<resource>.<action>``. Roles are the same Django groups the admin and UI use
(an editor is also a reviewer, an admin also an editor), and a token acts as its user, so a token can
never do more than the person it belongs to. The services check roles again; this table answers
early and lets the schema and the tests see every rule in one place. An endpoint missing from the
table is refused."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from ..choices import Role, TokenScope
from ..models import ApiToken
from ..roles import user_roles

SIGNED_IN = "signed_in"

ENDPOINT_ROLES: dict[str, str] = {
    "article.create": Role.REVIEWER,
    "article.retrieve": Role.REVIEWER,
    "article.retry_extraction": Role.REVIEWER,
    # Everyone signed in reads claims; the selector narrows people without a role to published ones.
    "claim.list": SIGNED_IN,
    "claim.retrieve": SIGNED_IN,
    "claim.verdict": SIGNED_IN,
    "claim.partial_update": Role.REVIEWER,
    "claim.take_next": Role.REVIEWER,
    "claim.take": Role.REVIEWER,
    "claim.release": Role.REVIEWER,
    "claim.extend": Role.REVIEWER,
    "claim.dismiss": Role.REVIEWER,
    "claim.promote": Role.REVIEWER,
    "claim.bulk": Role.REVIEWER,
    "claim.merge": Role.REVIEWER,
    "claim.split": Role.REVIEWER,
    "claim.evidence_add": Role.REVIEWER,
    "claim.verdict_draft": Role.REVIEWER,
    "claim.verdict_approve": Role.EDITOR,
    "claim.verdict_send_back": Role.EDITOR,
    "claim.verdict_publish": Role.EDITOR,
    "claim.verdict_reopen": Role.EDITOR,
    "evidence.destroy": Role.REVIEWER,
    "suggestion.accept": Role.REVIEWER,
    "suggestion.reject": Role.REVIEWER,
    "finding.confirm": Role.REVIEWER,
    "finding.dismiss": Role.REVIEWER,
    "source.list": Role.REVIEWER,
    "source.retrieve": Role.REVIEWER,
    "source.create": Role.EDITOR,
    "source.bulk_import": Role.EDITOR,
    "factcheck.list": Role.REVIEWER,
    "factcheck.bulk_import": Role.EDITOR,
    "rating.list": SIGNED_IN,
    "export.retrieve": SIGNED_IN,
    "explainer.list": Role.REVIEWER,
    "explainer.retrieve": Role.REVIEWER,
    "explainer.create": Role.REVIEWER,
    "explainer.partial_update": Role.REVIEWER,
    "explainer.attach": Role.REVIEWER,
    "explainer.detach": Role.REVIEWER,
    "webhook_endpoint.list": Role.ADMIN,
    "webhook_endpoint.retrieve": Role.ADMIN,
    "webhook_endpoint.create": Role.ADMIN,
    "webhook_endpoint.partial_update": Role.ADMIN,
    "webhook_endpoint.destroy": Role.ADMIN,
    "webhook_delivery.list": Role.ADMIN,
    "webhook_delivery.retrieve": Role.ADMIN,
    "webhook_delivery.redeliver": Role.ADMIN,
}

_REFUSALS = {
    Role.REVIEWER: "Only reviewers, editors and admins can do this.",
    Role.EDITOR: "Only editors and admins can do this.",
    Role.ADMIN: "Only admins can do this.",
}


def endpoint_name(view: Any) -> str:
    return f"{getattr(view, 'basename', '')}.{getattr(view, 'action', '')}"


class WorkbenchPermission(BasePermission):
    message = "You may not do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if (
            isinstance(request.auth, ApiToken)
            and request.auth.scope == TokenScope.READ
            and request.method not in SAFE_METHODS
        ):
            self.message = "This token is read-only; ask for a token with the write scope."
            return False
        action = getattr(view, "action", None)
        if action == "metadata":
            return True
        if action is None:
            # No handler for this verb: let the view answer 405 and name the verbs it takes.
            return True
        required = ENDPOINT_ROLES.get(endpoint_name(view))
        if required is None:
            return False
        if required == SIGNED_IN or required in user_roles(request.user):
            return True
        self.message = _REFUSALS[Role(required)]
        return False
