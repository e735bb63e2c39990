"""The API through Django REST framework: ``path("api/", include("recsys.django.rest_urls"))``."""

from django.urls import path

from .rest import RecsysViewSet

app_name = "recsys"

urlpatterns = [
    path("recommendations", RecsysViewSet.as_view({"get": "recommendations"}), name="recommendations"),
    path("items/<str:pk>/why", RecsysViewSet.as_view({"get": "why"}), name="why"),
    path("rate", RecsysViewSet.as_view({"post": "rate"}), name="rate"),
    path("watchlist/add", RecsysViewSet.as_view({"post": "watchlist_add"}), name="watchlist-add"),
    path("watchlist/remove", RecsysViewSet.as_view({"post": "watchlist_remove"}), name="watchlist-remove"),
    path("me", RecsysViewSet.as_view({"get": "me"}), name="me"),
    path("status", RecsysViewSet.as_view({"get": "status"}), name="status"),
]
