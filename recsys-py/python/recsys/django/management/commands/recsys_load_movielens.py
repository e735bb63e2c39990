"""``manage.py recsys_load_movielens``: MovieLens-100K (or a folder of yours in a GroupLens
format) into the models mapped by ``settings.RECSYS``, for a demo.

Movies go to the catalogue model (primary key = MovieLens id; ``title``, ``year`` and ``genres``
through the mapping; genres as one ``|``-separated text field), users to the user model
(``ml<id>``, no usable password), ratings to the event source with a ``rating`` field.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Dict, List

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction

from recsys import datasets
from recsys.django.conf import ConfigError, recsys_settings
from recsys.django.data import model_of
from recsys.exceptions import RecsysError


class Command(BaseCommand):
    help = "Load MovieLens-100K (found or fetched by recsys.datasets) or a GroupLens folder into the models mapped in settings.RECSYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--path", type=Path, help="a folder in a GroupLens format or RecBole files (default: MovieLens-100K, fetched once)")
        parser.add_argument("--users", type=int, help="load only the ratings of the first N users (by id)")
        parser.add_argument("--no-download", action="store_true", help="fail instead of fetching the data set")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            config = recsys_settings()
        except ConfigError as error:
            raise CommandError(f"settings.RECSYS: {error}") from None
        source = config.source_with("rating")
        if source is None:
            raise CommandError("RECSYS['EVENTS'] maps no model with a 'rating' field to load ratings into")
        try:
            if options["path"]:
                events, catalog = datasets.load_movielens(options["path"], people=False)
            else:
                events, catalog = datasets.movielens_100k(download=not options["no_download"], people=False)
        except (RecsysError, ImportError) as error:
            raise CommandError(str(error)) from None
        if options["users"]:
            keep = sorted(events["user_id"].unique(), key=lambda u: (len(u), u))[: options["users"]]
            events = events[events["user_id"].isin(keep)]
        with transaction.atomic():
            movies = self._movies(config, catalog)
            users = self._users(events)
            ratings = self._ratings(source, events, users)
        self.stdout.write(self.style.SUCCESS(f"loaded {movies} movies, {len(users)} users, {ratings} ratings"))

    def _movies(self, config: Any, catalog: Any) -> int:
        mapping = config.catalog
        model = model_of(mapping.model)
        pk = model._meta.pk
        existing = set(model._default_manager.values_list("pk", flat=True))
        objects = []
        for row in catalog.to_dict("records"):
            key = pk.to_python(row["item_id"])
            if key in existing:
                continue
            fields: Dict[str, Any] = {pk.attname: key}
            if mapping.title:
                fields[mapping.title] = (row["title"] or "")[: getattr(model._meta.get_field(mapping.title), "max_length", None) or None]
            if mapping.year:
                fields[mapping.year] = None if row["year"] is None or row["year"] != row["year"] else int(row["year"])
            if mapping.genres:
                if model._meta.get_field(mapping.genres).many_to_many:
                    raise CommandError("recsys_load_movielens fills genres into a text field only ('|'-separated)")
                fields[mapping.genres] = "|".join(row["genres"])
            objects.append(model(**fields))
        model._default_manager.bulk_create(objects, batch_size=500)
        return len(objects)

    def _users(self, events: Any) -> Dict[str, Any]:
        User = get_user_model()
        name_field = User.USERNAME_FIELD
        names = {uid: f"ml{uid}" for uid in events["user_id"].unique()}
        found = {getattr(u, name_field): u for u in User._default_manager.filter(**{f"{name_field}__in": list(names.values())})}
        new = []
        for name in names.values():
            if name not in found:
                user = User(**{name_field: name})
                user.set_unusable_password()
                new.append(user)
        User._default_manager.bulk_create(new, batch_size=500)
        found = {getattr(u, name_field): u for u in User._default_manager.filter(**{f"{name_field}__in": list(names.values())})}
        return {uid: found[name] for uid, name in names.items()}

    def _ratings(self, source: Any, events: Any, users: Dict[str, Any]) -> int:
        model = model_of(source.model)
        item_field = model._meta.get_field(source.item)
        item_pk = item_field.related_model._meta.pk
        time_field = model._meta.get_field(source.timestamp) if source.timestamp else None
        existing = set(model._default_manager.values_list(f"{source.user}_id", f"{source.item}_id"))
        objects: List[Any] = []
        for user_id, item_id, rating, seconds in events[["user_id", "item_id", "rating", "timestamp"]].itertuples(index=False):
            user = users[user_id]
            item = item_pk.to_python(item_id)
            if (user.pk, item) in existing:
                continue
            fields: Dict[str, Any] = {f"{source.user}_id": user.pk, f"{source.item}_id": item, source.rating: rating}
            if time_field is not None:
                when: Any = int(seconds)
                if isinstance(time_field, models.DateTimeField):
                    when = dt.datetime.fromtimestamp(int(seconds), tz=dt.timezone.utc)
                fields[source.timestamp] = when
            objects.append(model(**fields))
        model._default_manager.bulk_create(objects, batch_size=2000)
        return len(objects)
