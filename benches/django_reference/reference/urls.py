from django.urls import path

from movies import views

urlpatterns = [
    path("api/auth/signup", views.Signup.as_view()),
    path("api/auth/login", views.Login.as_view()),
    path("api/me/ratings/import", views.ImportRatings.as_view()),
    path("api/recommendations", views.Recommendations.as_view()),
    path("api/rate", views.Rate.as_view()),
    path("api/health", views.Health.as_view()),
]
