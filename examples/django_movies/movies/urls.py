"""Routes of the movies app."""
from django.urls import path

from . import views

urlpatterns = [
    path("api/users/<int:user_id>/recommendations", views.recommendations_api, name="recommendations-api"),
    path("users/<int:user_id>/recommendations", views.recommendations_page, name="recommendations-page"),
]
