"""URL routes of the movies example: pages, accounts, the admin and recsys.django's JSON API
(through Django REST framework when it is installed)."""
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

api = "recsys.django.rest_urls" if settings.USE_DRF else "recsys.django.urls"
if settings.USE_DRF:
    from recsys.django.rest import RecsysViewSet

    why = RecsysViewSet.as_view({"get": "why"})
    movie_why = path("api/movies/<str:pk>/why", why, name="movie-why")
else:
    from recsys.django import views as recsys_views

    movie_why = path("api/movies/<str:item_id>/why", recsys_views.why, name="movie-why")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    movie_why,  # the app's `items/<id>/why` under the name this site uses
    path("api/", include(api)),
    path("", include("movies.urls")),
]
