"""Telling a verdict's author what an editor did with it, by e-mail when the desk has a mail server.

The in-app inbox (``selectors.inbox_for_user``) shows the same events whether or not mail is sent."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from ..models import Verdict

logger = logging.getLogger(__name__)

EVENTS = {
    "sent_back": (
        "Your verdict was sent back",
        "{editor} sent back your verdict on this claim:\n\n“{claim}”\n\n{comment}\n\n"
        "It is assigned to you again: {link}",
    ),
    "approved": (
        "Your verdict was approved",
        "{editor} approved your verdict ({rating}) on this claim:\n\n“{claim}”\n\n{link}",
    ),
    "published": (
        "Your verdict was published",
        "{editor} published your verdict ({rating}) on this claim:\n\n“{claim}”\n\n{link}",
    ),
}


def author_notify(*, verdict: Verdict, event: str, editor: object) -> None:
    """Mail the verdict's author once the transaction that changed it commits. A failing mail server
    is logged and never undoes the editor's decision."""
    author = verdict.author
    if not author.email or author.pk == getattr(editor, "pk", None):
        return
    subject, template = EVENTS[event]
    body = template.format(
        editor=editor,
        claim=verdict.claim.text,
        comment=verdict.review_comment,
        rating=verdict.rating,
        link=f"{settings.WORKBENCH_URL.rstrip('/')}/claims/{verdict.claim_id}/",
    )

    def send() -> None:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [author.email])
        except OSError as error:
            logger.warning("Could not mail %s about claim %s: %s", author.email, verdict.claim_id, error)

    transaction.on_commit(send)
