import logging

from django.apps import AppConfig

logger = logging.getLogger(__name__)


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Claims"

    def ready(self) -> None:
        from django.conf import settings

        if settings.CELERY_TASK_ALWAYS_EAGER:
            logger.info("REDIS_URL is not set: background jobs run in-process, right after each commit.")
