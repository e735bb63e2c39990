"""The app config: registers the system checks and loads the served model at start-up."""

from __future__ import annotations

import logging

from django.apps import AppConfig

logger = logging.getLogger("recsys.django")


class RecsysConfig(AppConfig):
    name = "recsys.django"
    label = "recsys"
    verbose_name = "Recommendations (recsys)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the checks)
        from . import service
        from .conf import ConfigError, recsys_settings

        # Never fail start-up (runserver, migrate, check, recsys_train itself): a bad setting is
        # reported by `manage.py check`, a bad model file is logged and the fallback served.
        try:
            service.holder(recsys_settings()).get()
        except ConfigError:
            pass
        except Exception:  # pragma: no cover - a last resort: log, keep starting
            logger.exception("recsys: could not load the model at start-up")
