"""The process-wide trained recommender, loaded once and swapped atomically after retraining.

Requests read the reference without locking (assigning a Python attribute is atomic), so a
request keeps the model it started with while `reload` installs a new one.
"""
import logging
import threading
from pathlib import Path
from typing import Optional, Union

from django.conf import settings

import recsys

logger = logging.getLogger(__name__)

_reload_lock = threading.Lock()
_current: Optional[recsys.Recommender] = None


def current() -> Optional[recsys.Recommender]:
    """The loaded recommender, or ``None`` before the first training."""
    return _current


def reload(path: Union[str, Path, None] = None, *, missing_ok: bool = False) -> Optional[recsys.Recommender]:
    """Loads the artifact at ``path`` (default ``settings.RECSYS_ARTIFACT_PATH``) and installs it.

    With ``missing_ok`` a missing file leaves the current model in place and returns it.
    """
    global _current
    artifact = Path(path if path is not None else settings.RECSYS_ARTIFACT_PATH)
    with _reload_lock:
        try:
            loaded = recsys.Recommender.load(artifact)
        except FileNotFoundError:
            if not missing_ok:
                raise
            logger.info("no recommender artifact at %s yet; run `manage.py train_recommender`", artifact)
            return _current
        _current = loaded
        logger.info("recommender loaded from %s (%d items)", artifact, loaded.n_items)
        return loaded
