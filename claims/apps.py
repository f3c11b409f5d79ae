import logging

from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate

logger = logging.getLogger(__name__)

# Model permissions for the admin, per role. Workflow rules (who may approve, leases) are enforced
# by the services whatever these say; these only decide which admin pages a role can open.
ROLE_PERMISSIONS = {
    "reviewer": {
        "view": [
            "article",
            "claim",
            "source",
            "sourcepassage",
            "evidence",
            "verdict",
            "rating",
            "suggestion",
            "finding",
        ],
        "change": ["claim"],
        # Added and removed by the reviewer holding the claim (the service checks the lease).
        "add": ["evidence"],
        "delete": ["evidence"],
    },
    "editor": {
        "view": [
            "article",
            "claim",
            "source",
            "sourcepassage",
            "evidence",
            "verdict",
            "rating",
            "suggestion",
            "finding",
        ],
        "change": ["claim", "article", "source"],
        "add": ["source", "evidence"],
        "delete": ["evidence"],
    },
    "admin": {
        "view": ["*"],
        "change": ["*"],
        "add": ["*"],
        "delete": ["*"],
    },
}


def grant_role_permissions(sender, **kwargs) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Group, Permission

    claims_permissions = Permission.objects.filter(content_type__app_label="claims")
    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for action, models in grants.items():
            for permission in claims_permissions:
                verb, _, model = permission.codename.partition("_")
                if verb == action and ("*" in models or model in models):
                    wanted.append(permission)
        if role == "admin":
            wanted += list(Permission.objects.filter(content_type__app_label="auth"))
        group.permissions.add(*wanted)


def keep_lexical_index(sender, using="default", **kwargs) -> None:  # type: ignore[no-untyped-def]
    """SQLite drops a table's triggers when Django rebuilds it for a later migration: put back the
    full-text index's triggers (and rebuild the index) whenever they are missing."""
    from django.db import connections

    from claims.lexical_schema import ensure_lexical_index

    if ensure_lexical_index(connections[using]):
        logger.info("Rebuilt the full-text index of passages and claims.")


def lower_claim_search_triggers(sender, using="default", plan=None, **kwargs) -> None:  # type: ignore[no-untyped-def]
    """Before migrations run on SQLite: a rebuild of claims_claim or claims_article fails while the
    claim search's triggers join the two (see lexical_schema); keep_lexical_index puts them back."""
    from django.db import connections

    from claims.lexical_schema import drop_sqlite_claim_search_triggers

    if plan:
        drop_sqlite_claim_search_triggers(connections[using])


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Claims"

    def ready(self) -> None:
        from django.conf import settings

        post_migrate.connect(grant_role_permissions, sender=self)
        pre_migrate.connect(lower_claim_search_triggers, sender=self)
        post_migrate.connect(keep_lexical_index, sender=self)
        if settings.CELERY_TASK_ALWAYS_EAGER:
            logger.info("REDIS_URL is not set: background jobs run in-process, right after each commit.")
