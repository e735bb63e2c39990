"""``manage.py recsys_train``: train on the mapped models, evaluate, write and serve the model.

Runs whatever state the current model file is in (missing, damaged, older format): it never
reads it, it replaces it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from recsys.django.conf import ConfigError, recsys_settings
from recsys.django.training import TrainingFailed, train


class Command(BaseCommand):
    help = "Train the recommender on the models mapped in settings.RECSYS, evaluate it on a held-out split and write the model file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="model file (default: RECSYS['ARTIFACT_PATH'])")
        parser.add_argument("--holdout", type=float, help="share of each user's latest events held out for the metrics (default: RECSYS['HOLDOUT']; 0 skips)")
        parser.add_argument("-k", type=int, default=10, help="cut-off of the held-out metrics (default 10)")
        parser.add_argument("--factors", type=int, help="ALS factors (default: RECSYS['TRAINING'] or 64)")
        parser.add_argument("--iterations", type=int, help="ALS iterations")
        parser.add_argument("--regularization", type=float, help="ALS regularization")
        parser.add_argument("--seed", type=int, help="random seed")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            config = recsys_settings()
        except ConfigError as error:
            raise CommandError(f"settings.RECSYS: {error}") from None
        if options["holdout"] is not None and not 0 <= options["holdout"] < 1:
            raise CommandError(f"--holdout must be in [0, 1), got {options['holdout']}")
        overrides = {key: options[key] for key in ("factors", "iterations", "regularization", "seed") if options[key] is not None}
        progress = options["verbosity"] > 0 and not options["no_progress"]
        try:
            run = train(
                config,
                output=options["output"],
                holdout=options["holdout"],
                k=options["k"],
                overrides=overrides,
                show_progress=progress,
                say=self.stdout.write,
            )
        except TrainingFailed as error:
            raise CommandError(f"training failed: {error}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"trained on {run.n_events} events, {run.n_items} items in {run.seconds:.1f} s -> {run.artifact_path} "
                f"(fingerprint {run.fingerprint}, run {run.pk})"
            )
        )
