"""Everything a newcomer needs to get data in: movies, ratings, reactions, watchlists."""
from django.contrib import admin

from .models import Movie, Rating, Reaction, Tag, WatchlistEntry


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(Movie)
class MovieAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "year", "genres")
    search_fields = ("title",)
    list_filter = ("year", "tags")
    filter_horizontal = ("tags",)


class FeedbackAdmin(admin.ModelAdmin):
    raw_id_fields = ("user", "movie")
    search_fields = ("movie__title", "user__username")
    list_select_related = ("user", "movie")


@admin.register(Rating)
class RatingAdmin(FeedbackAdmin):
    list_display = ("user", "movie", "stars", "timestamp")
    list_filter = ("stars",)


@admin.register(Reaction)
class ReactionAdmin(FeedbackAdmin):
    list_display = ("user", "movie", "kind", "created")
    list_filter = ("kind",)


@admin.register(WatchlistEntry)
class WatchlistEntryAdmin(FeedbackAdmin):
    list_display = ("user", "movie", "added")
