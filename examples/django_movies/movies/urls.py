"""Pages of the movies app."""
from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/signup/", views.signup, name="signup"),
    path("movies/<int:movie_id>/", views.movie, name="movie"),
    path("movies/<int:movie_id>/feedback", views.feedback, name="movie-feedback"),
]
