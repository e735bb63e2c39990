"""The catalogue and the users' feedback (mapped to recsys in settings.RECSYS)."""
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone


class Tag(models.Model):
    """A free-form label editors put on movies ("time travel", "heist")."""

    name = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Movie(models.Model):
    """A catalogue item; ``genres`` is ``|``-separated (``"Comedy|Drama"``), ``tags`` many-to-many."""

    title = models.CharField(max_length=200)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    genres = models.CharField(max_length=200, blank=True, help_text="separated by |, e.g. Comedy|Drama")
    tags = models.ManyToManyField(Tag, blank=True, related_name="movies")

    class Meta:
        ordering = ["title"]

    def genre_list(self) -> list[str]:
        return [g for g in self.genres.split("|") if g]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})" if self.year else self.title


class Rating(models.Model):
    """A user's explicit 1–5 star rating of a movie (one per user and movie)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ratings")
    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="ratings")
    stars = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    timestamp = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "movie"], name="one_rating_per_user_and_movie"),
        ]

    def __str__(self) -> str:
        return f"{self.user} rated {self.movie} {self.stars}★"


class Reaction(models.Model):
    """A like, a dislike or "not interested" (one per user and movie: the latest wins)."""

    class Kind(models.TextChoices):
        LIKE = "like", "like"
        DISLIKE = "dislike", "dislike"
        NOT_INTERESTED = "not_interested", "not interested"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reactions")
    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="reactions")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "movie"], name="one_reaction_per_user_and_movie")]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()} {self.movie}"


class WatchlistEntry(models.Model):
    """A movie the user wants to watch (a weak positive signal)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watchlist")
    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="watchlisted_by")
    added = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "watchlist entries"
        constraints = [models.UniqueConstraint(fields=["user", "movie"], name="one_watchlist_entry_per_user_and_movie")]

    def __str__(self) -> str:
        return f"{self.user} wants to watch {self.movie}"
