from django.conf import settings
from django.db import models


class Movie(models.Model):
    id = models.CharField(primary_key=True, max_length=64)
    title = models.TextField()
    year = models.IntegerField(null=True)


class Rating(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    movie = models.ForeignKey(Movie, on_delete=models.CASCADE)
    rating = models.FloatField()
    updated_at = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "movie"], name="one_rating")]
