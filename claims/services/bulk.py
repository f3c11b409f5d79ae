"""Acting on many claims at once (the queue's selection, the API's bulk endpoint): each claim goes
through the same service as a single action, so every rule (status, lease, version) holds per claim."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

from ..errors import InvalidInputError, WorkbenchError
from ..roles import User, can_review, require_editor, require_reviewer
from . import review


class BulkAction:
    DISMISS = "dismiss"
    PROMOTE = "promote"
    ASSIGN = "assign"
    RELEASE = "release"

    choices = [
        (DISMISS, "Dismiss"),
        (PROMOTE, "Put in the queue"),
        (ASSIGN, "Assign to"),
        (RELEASE, "Release"),
    ]
    labels = dict(choices)


MAX_BULK_CLAIMS = 500


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    # claim id -> why that claim was refused (the others are done regardless).
    refused: dict[int, str] = field(default_factory=dict)


def claims_bulk(*, user: User, action: str, claim_ids: list[int], confirm_count: int, assignee: str = "") -> BulkResult:
    """Apply ``action`` to each claim. ``confirm_count`` is the count the person confirmed: a request
    that names a different count (a stale page, a script's mistake) changes nothing.
    Assigning claims to someone else is an editor's call; a reviewer may assign to themselves."""
    require_reviewer(user)
    ids = list(dict.fromkeys(claim_ids))
    if action not in BulkAction.labels:
        raise InvalidInputError(f"Unknown bulk action {action!r}.", field="action")
    if not ids:
        raise InvalidInputError("Select at least one claim.", field="ids")
    if len(ids) > MAX_BULK_CLAIMS:
        raise InvalidInputError(f"At most {MAX_BULK_CLAIMS} claims at once.", field="ids")
    if confirm_count != len(ids):
        raise InvalidInputError(
            f"The confirmation names {confirm_count} claims but {len(ids)} are selected; nothing was changed.",
            field="confirm_count",
        )
    if action == BulkAction.ASSIGN:
        target = _assignee(user, assignee)

        def act(claim_id: int) -> object:
            return review.review_take(user=target, claim_id=claim_id)
    elif action == BulkAction.DISMISS:

        def act(claim_id: int) -> object:
            return review.claim_dismiss(user=user, claim_id=claim_id)
    elif action == BulkAction.PROMOTE:

        def act(claim_id: int) -> object:
            return review.claim_promote(user=user, claim_id=claim_id)
    else:

        def act(claim_id: int) -> object:
            return review.review_release(user=user, claim_id=claim_id)

    result = BulkResult()
    for claim_id in ids:
        try:
            act(claim_id)
        except WorkbenchError as error:
            result.refused[claim_id] = error.message
        else:
            result.done.append(claim_id)
    return result


def _assignee(user: User, username: str) -> User:
    username = username.strip()
    if not username or username == user.get_username():
        return user
    require_editor(user)
    target = get_user_model().objects.filter(username=username, is_active=True).first()
    if target is None or not can_review(target):
        raise InvalidInputError(f"{username} is not a reviewer.", field="assignee")
    return target
