"""Training runs in the admin (read-only: they are written by ``manage.py recsys_train``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import TrainingRun


@admin.register(TrainingRun)
class TrainingRunAdmin(admin.ModelAdmin):
    list_display = ("id", "started", "status", "n_events", "n_users", "n_items", "ndcg", "seconds", "fingerprint")
    list_filter = ("status",)
    readonly_fields = [field.name for field in TrainingRun._meta.fields]

    @admin.display(description="nDCG")
    def ndcg(self, run: TrainingRun) -> Any:
        value = run.metrics.get("ndcg") if isinstance(run.metrics, dict) else None
        return None if value is None else round(value, 4)

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
