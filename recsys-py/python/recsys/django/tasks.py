"""An optional Celery task: ``recsys.django.tasks.train_recommender`` (``None`` without Celery).

Schedule it with celery beat, e.g. nightly. Every web process picks the new model file up
within ``RECSYS['RELOAD_INTERVAL']`` seconds.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

try:
    from celery import shared_task
except ImportError:  # Celery is optional
    shared_task = None


def run_training(**options: Any) -> Dict[str, Any]:
    """Trains like ``manage.py recsys_train`` and returns the run as a dict."""
    from .training import train

    run = train(**options)
    return {"run": run.pk, "status": run.status, "fingerprint": run.fingerprint, "metrics": run.metrics}


train_recommender: Optional[Any] = shared_task(name="recsys.train_recommender")(run_training) if shared_task else None
