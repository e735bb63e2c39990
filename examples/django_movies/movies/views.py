"""Server-rendered pages: carousels on the home page, a movie page with "Why this movie?",
similar movies and the feedback buttons. Recommendations come from recsys.django (template tags
and its service functions), computed on the user's history as it is *now*."""
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from recsys.django import service

from .models import Movie, Rating, Reaction, WatchlistEntry


@login_required
def home(request: HttpRequest) -> HttpResponse:
    liked = (
        Rating.objects.filter(user=request.user, stars__gte=4).order_by("-timestamp").select_related("movie").first()
    )
    genres = [g for g in liked.movie.genre_list()] if liked else []
    return render(request, "movies/home.html", {"liked": liked.movie if liked else None, "genre": genres[0] if genres else None})


@login_required
def movie(request: HttpRequest, movie_id: int) -> HttpResponse:
    item = get_object_or_404(Movie, pk=movie_id)
    context = {
        "movie": item,
        "rating": Rating.objects.filter(user=request.user, movie=item).first(),
        "reaction": Reaction.objects.filter(user=request.user, movie=item).first(),
        "watchlisted": WatchlistEntry.objects.filter(user=request.user, movie=item).exists(),
    }
    return render(request, "movies/movie.html", context)


ACTIONS = {"like", "dislike", "not_interested", "clear", "rate", "watchlist_add", "watchlist_remove"}


@login_required
@require_POST
def feedback(request: HttpRequest, movie_id: int) -> HttpResponse:
    """The buttons of the movie page (plain forms, CSRF-protected), through recsys.django's service."""
    get_object_or_404(Movie, pk=movie_id)
    action = request.POST.get("action")
    if action not in ACTIONS:
        return HttpResponseBadRequest(f"unknown action {action!r}")
    item = {"item_id": str(movie_id)}
    try:
        if action == "rate":
            service.rate(request.user, {**item, "rating": int(request.POST.get("stars", ""))})
        elif action in ("like", "dislike", "not_interested"):
            service.rate(request.user, {**item, "feedback": action})
        elif action == "clear":
            service.rate(request.user, {**item, "feedback": None})
        else:
            service.watchlist(request.user, item, add=action == "watchlist_add")
    except ValueError:
        return HttpResponseBadRequest("stars must be a whole number from 1 to 5")
    except service.ApiError as error:
        return HttpResponse(error.message, status=error.status, content_type="text/plain")
    return redirect("movie", movie_id=movie_id)


def signup(request: HttpRequest) -> HttpResponse:
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user)
        return redirect("home")
    return render(request, "registration/signup.html", {"form": form})
