"""Training from the database: a held-out evaluation, the fit, the artifact, the run record.
Shared by ``manage.py recsys_train`` and the Celery task."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from django.utils import timezone

from ..evaluation import evaluate_recommender
from ..exceptions import InvalidArgumentError, RecsysError
from ..recommender import Recommender
from . import data, service
from .conf import RecsysSettings, recsys_settings
from .holder import fingerprint_of
from .models import TrainingRun

Event = data.Event
Say = Callable[[str], None]


class TrainingFailed(Exception):
    """Training could not produce a model (nothing to train on, bad data, bad settings)."""


def holdout_split(events: List[Event], share: float, min_events: int = 5) -> Tuple[List[Event], List[Event]]:
    """Per-user temporal split: each user with at least ``min_events`` events gives their latest
    ``ceil(share × events)`` to test; everything else trains."""
    by_user: Dict[str, List[Event]] = {}
    for event in events:
        by_user.setdefault(event[0], []).append(event)
    train: List[Event] = []
    test: List[Event] = []
    for rows in by_user.values():
        if share <= 0 or len(rows) < min_events:
            train += rows
            continue
        rows.sort(key=lambda event: event[3])
        cut = len(rows) - math.ceil(share * len(rows))
        train += rows[:cut]
        test += rows[cut:]
    return train, test


def train(
    config: Optional[RecsysSettings] = None,
    *,
    output: Any = None,
    holdout: Optional[float] = None,
    k: int = 10,
    overrides: Optional[Dict[str, Any]] = None,
    show_progress: bool = False,
    say: Say = lambda line: None,
) -> TrainingRun:
    """Evaluates on a held-out split (when ``holdout`` > 0), fits on every event, writes the
    artifact atomically, serves it in this process and records a :class:`TrainingRun`.
    Raises :class:`TrainingFailed` (the run is recorded as failed)."""
    config = config or recsys_settings()
    path = config.artifact_path if output is None else output
    parameters = {**config.training, **(overrides or {})}
    share = config.holdout if holdout is None else holdout
    run = TrainingRun.objects.create(artifact_path=str(path), parameters={**parameters, "holdout": share})
    started = time.monotonic()
    try:
        events = data.training_events(config)
        if not events:
            raise TrainingFailed("no events in the mapped models: nothing to train on")
        catalog = data.catalog_rows(config)
        n_users = len({event[0] for event in events})
        say(f"{len(events)} events of {n_users} users, {len(catalog)} catalogue items")
        metrics: Dict[str, Any] = {}
        evaluated = False
        if share > 0:
            train_events, test_events = holdout_split(events, share)
            if test_events:
                say(f"1/2 held-out evaluation: fitting on {len(train_events)} events, scoring {len(test_events)}")
                evaluated = True
                held_out = Recommender.fit(train_events, catalog, show_progress=show_progress, **parameters)
                try:
                    metrics = dict(evaluate_recommender(held_out, train_events, test_events, k=k))
                except InvalidArgumentError as error:  # e.g. no relevant test event
                    say(f"held-out evaluation skipped: {error}")
                if metrics:
                    say(
                        f"held-out ({share:.0%} latest per user, {metrics['n_users']} users): "
                        + ", ".join(f"{name}@{k} {metrics[name]:.4f}" for name in ("precision", "recall", "ndcg", "map", "hit_rate", "coverage"))
                    )
            else:
                say("held-out evaluation skipped: no user has enough events")
        say(f"{'2/2 ' if evaluated else ''}fitting on all {len(events)} events")
        model = Recommender.fit(events, catalog, show_progress=show_progress, **parameters)
        payload = model.to_bytes()
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        model.save(target)  # temporary file + rename: readers see the old file or the new one
        if target.resolve() == config.artifact_path.resolve():
            service.holder(config).install(model, payload)
    except (RecsysError, TrainingFailed, TypeError, OSError) as error:
        run.status, run.message, run.finished = TrainingRun.Status.FAILED, str(error), timezone.now()
        run.seconds = time.monotonic() - started
        run.save()
        raise TrainingFailed(str(error)) from error
    run.status, run.finished, run.seconds = TrainingRun.Status.SUCCEEDED, timezone.now(), time.monotonic() - started
    run.fingerprint = fingerprint_of(payload)
    run.n_events, run.n_users, run.n_items, run.metrics = len(events), n_users, model.n_items, metrics
    run.save()
    return run
