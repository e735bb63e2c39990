"""The JSON API: ``path("api/", include("recsys.django.urls"))`` (see ``recsys.django.views``).

With Django REST framework installed, ``include("recsys.django.rest_urls")`` serves the same
routes through DRF views instead.
"""

from django.urls import path

from . import views

app_name = "recsys"

urlpatterns = [
    path("recommendations", views.recommendations, name="recommendations"),
    path("items/<str:item_id>/why", views.why, name="why"),
    path("rate", views.rate, name="rate"),
    path("watchlist/add", views.watchlist_add, name="watchlist-add"),
    path("watchlist/remove", views.watchlist_remove, name="watchlist-remove"),
    path("me", views.me, name="me"),
    path("status", views.status, name="status"),
]
