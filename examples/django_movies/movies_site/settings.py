"""Settings of the movies example: SQLite next to this project, a development secret key.

Django REST framework is optional: with it installed the API is served by recsys.django's DRF
views, without it by its plain Django views (`RECSYS_EXAMPLE_DRF=0` forces the plain ones, and
makes `rest_framework` unimportable, as on a machine without it).
"""
import importlib.util
import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# Development only: set DJANGO_SECRET_KEY (and DJANGO_DEBUG=0) in any real deployment.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-for-the-recsys-example")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "recsys.django",
    "movies.apps.MoviesConfig",
]



def _drf_available() -> bool:
    if os.environ.get("RECSYS_EXAMPLE_DRF", "1") == "0":
        sys.modules["rest_framework"] = None  # type: ignore[assignment]  # `import` now fails
        return False
    return importlib.util.find_spec("rest_framework") is not None


USE_DRF = _drf_available()
if USE_DRF:
    INSTALLED_APPS.append("rest_framework")
    REST_FRAMEWORK = {
        "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    }

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "movies_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DJANGO_DB_PATH", str(BASE_DIR / "db.sqlite3")),
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"recsys": {"handlers": ["console"], "level": os.environ.get("RECSYS_LOG_LEVEL", "INFO")}},
}

# recsys.django: which models are the catalogue and the feedback, and where the model file lives
# (`manage.py recsys_train` writes it; every process serves it and picks up a newer one within
# RELOAD_INTERVAL seconds).
RECSYS = {
    "ARTIFACT_PATH": Path(os.environ.get("RECSYS_ARTIFACT_PATH", BASE_DIR / "recommender.recsys")),
    "RELOAD_INTERVAL": 5,
    "CATALOG": {"model": "movies.Movie", "title": "title", "year": "year", "genres": "genres", "tags": "tags"},
    "EVENTS": [
        {"model": "movies.Rating", "user": "user", "item": "movie", "rating": "stars", "timestamp": "timestamp"},
        {"model": "movies.Reaction", "user": "user", "item": "movie", "kind": "kind", "timestamp": "created"},
        {"model": "movies.WatchlistEntry", "user": "user", "item": "movie", "feedback": "watchlisted", "timestamp": "added"},
    ],
    "TRAINING": {"factors": 64, "iterations": 15},
}
