"""A record of every training run (shown in the admin)."""

from __future__ import annotations

from django.db import models


class TrainingRun(models.Model):
    """One ``manage.py recsys_train`` run: what it trained on, its held-out metrics, its file."""

    class Status(models.TextChoices):
        RUNNING = "running", "running"
        SUCCEEDED = "succeeded", "succeeded"
        FAILED = "failed", "failed"

    started = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    artifact_path = models.CharField(max_length=500)
    fingerprint = models.CharField(max_length=64, blank=True)
    n_events = models.PositiveIntegerField(default=0)
    n_users = models.PositiveIntegerField(default=0)
    n_items = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(null=True, blank=True)
    #: Held-out metrics (precision, recall, ndcg, map, hit_rate, coverage, k, n_users), or {}.
    metrics = models.JSONField(default=dict, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-started"]
        get_latest_by = "started"

    def __str__(self) -> str:
        ndcg = self.metrics.get("ndcg") if isinstance(self.metrics, dict) else None
        quality = f", nDCG@{self.metrics.get('k')} {ndcg:.4f}" if isinstance(ndcg, float) else ""
        return f"training run {self.pk} ({self.status}{quality})"
