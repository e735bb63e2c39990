"""Settings of the reference app: SQLite in WAL mode with synchronous=NORMAL (what
recsys-server-example uses: a commit is in the WAL before the answer, so it survives a crash of
the process), DRF token authentication, argon2 with the argon2 crate's default cost."""
import os
from pathlib import Path

DATA_DIR = Path(os.environ.get("REFERENCE_DATA_DIR", "var/django-reference"))
SECRET_KEY = os.environ.get("REFERENCE_SECRET_KEY", "load-benchmark-only-not-a-secret")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "rest_framework.authtoken",
    "movies",
]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "reference.urls"
WSGI_APPLICATION = "reference.wsgi.application"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "reference.sqlite3",
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
            "transaction_mode": "IMMEDIATE",
        },
    }
}
# REFERENCE_DATABASE_URL=postgres://user:password@host:port/name puts it on PostgreSQL instead.
if os.environ.get("REFERENCE_DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
    from urllib.parse import unquote, urlsplit

    url = urlsplit(os.environ["REFERENCE_DATABASE_URL"])
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": url.path.lstrip("/"),
            "USER": unquote(url.username or ""),
            "PASSWORD": unquote(url.password or ""),
            "HOST": url.hostname or "",
            "PORT": url.port or "",
        }
    }
# The same password hash as the Rust app: argon2id, 19 MiB, 2 passes, 1 lane.
PASSWORD_HASHERS = ["movies.hashers.Argon2Like"]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": None,
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
MODEL_PATH = DATA_DIR / "implicit-als.npz"
