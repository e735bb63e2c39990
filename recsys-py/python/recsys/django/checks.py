"""``manage.py check`` for ``settings.RECSYS``: the mapping names real models and fields of the
right kinds, and the model file (if present) can be served."""

from __future__ import annotations

from typing import Any, List, Optional

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from .conf import ConfigError, RecsysSettings, recsys_settings

_NUMERIC = (models.IntegerField, models.FloatField, models.DecimalField)
_TIME = (models.DateTimeField, models.DateField, models.IntegerField, models.FloatField)


def _model(label: str, where: str, id: str, errors: List[checks.CheckMessage]) -> Optional[Any]:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        errors.append(checks.Error(f"{where}: model {label!r} is not installed", hint="check INSTALLED_APPS and the model name", id=id))
        return None


def _field(model: Any, name: str, where: str, errors: List[checks.CheckMessage]) -> Optional[Any]:
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        names = sorted(f.name for f in model._meta.get_fields())
        errors.append(
            checks.Error(f"{where}: {model._meta.label} has no field {name!r}", hint=f"its fields: {', '.join(names)}", id="recsys.E011")
        )
        return None


def _points_to(field: Any, target: Any) -> bool:
    return bool(field.many_to_one or field.one_to_one) and field.related_model is not None and field.related_model._meta.label_lower == target._meta.label_lower


def mapping_errors(config: RecsysSettings) -> List[checks.CheckMessage]:
    errors: List[checks.CheckMessage] = []
    mapping = config.catalog
    catalog = _model(mapping.model, "RECSYS['CATALOG']", "recsys.E010", errors)
    if catalog is not None:
        for key in ("title", "year", "genres", "tags"):
            name = getattr(mapping, key)
            if name:
                _field(catalog, name, f"RECSYS['CATALOG']['{key}']", errors)
        if mapping.people and not callable(getattr(catalog, mapping.people, None)):
            errors.append(
                checks.Error(
                    f"RECSYS['CATALOG']['people']: {catalog._meta.label} has no method {mapping.people!r}",
                    hint="a method returning (person_id, name, role) credits",
                    id="recsys.E011",
                )
            )
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    for index, source in enumerate(config.events):
        where = f"RECSYS['EVENTS'][{index}]"
        model = _model(source.model, where, "recsys.E020", errors)
        if model is None:
            continue
        user = _field(model, source.user, f"{where}['user']", errors)
        if user is not None and not _points_to(user, user_model):
            errors.append(
                checks.Error(f"{where}['user']: {model._meta.label}.{source.user} is not a foreign key to {settings.AUTH_USER_MODEL}", id="recsys.E022")
            )
        item = _field(model, source.item, f"{where}['item']", errors)
        if item is not None and catalog is not None and not _points_to(item, catalog):
            errors.append(
                checks.Error(f"{where}['item']: {model._meta.label}.{source.item} is not a foreign key to {mapping.model}", id="recsys.E023")
            )
        if source.rating:
            field = _field(model, source.rating, f"{where}['rating']", errors)
            if field is not None and not isinstance(field, _NUMERIC):
                errors.append(
                    checks.Error(f"{where}['rating']: {model._meta.label}.{source.rating} is not a numeric field ({type(field).__name__})", id="recsys.E024")
                )
        if source.kind:
            _field(model, source.kind, f"{where}['kind']", errors)
        if source.timestamp:
            field = _field(model, source.timestamp, f"{where}['timestamp']", errors)
            if field is not None and not isinstance(field, _TIME):
                errors.append(
                    checks.Error(
                        f"{where}['timestamp']: {model._meta.label}.{source.timestamp} is not a date-time or integer field ({type(field).__name__})",
                        id="recsys.E024",
                    )
                )
    return errors


def artifact_warnings(config: RecsysSettings) -> List[checks.CheckMessage]:
    from . import service

    path = config.artifact_path
    if not path.parent.is_dir():
        return [checks.Warning(f"RECSYS['ARTIFACT_PATH']: the folder {path.parent} does not exist", hint="`manage.py recsys_train` creates it", id="recsys.W001")]
    if not path.exists():
        return []
    holder = service.holder(config)
    holder.refresh()
    problem = holder.status().problem
    if problem:
        return [checks.Warning(problem, hint="run `manage.py recsys_train` to write a good model", id="recsys.W002")]
    return []


@checks.register("recsys")
def check_settings(app_configs: Any = None, **kwargs: Any) -> List[checks.CheckMessage]:
    try:
        config = recsys_settings()
    except ConfigError as error:
        return [checks.Error(str(error), hint=error.hint, id=error.id)]
    return mapping_errors(config) + artifact_warnings(config)
