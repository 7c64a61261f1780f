"""Django settings for civharm.

Storage: embedded SQLite in the data folder by default; PostgreSQL when DATABASE_URL is set.
Secrets and the field-encryption key live in files outside the database.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("CIVHARM_DATA", "civharm-data")).resolve()
KEYS_DIR = Path(os.environ.get("CIVHARM_KEYS_DIR", DATA_DIR / "keys")).resolve()


def _read_or_create_secret(path: Path, make: callable) -> str:  # type: ignore[valid-type]
    """A secret kept in a file readable by its owner only, created on first use."""
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value + "\n")
    return value


def _field_keys() -> list[bytes]:
    """CIVHARM_FIELD_KEYS (comma-separated, newest first) or the key file, created on first use."""
    from civharm.core.protection import FieldCipher

    if os.environ.get("CIVHARM_FIELD_KEYS"):
        return [k.strip().encode("ascii") for k in os.environ["CIVHARM_FIELD_KEYS"].split(",")]
    key_file = Path(os.environ.get("CIVHARM_FIELD_KEY_FILE", KEYS_DIR / "field.key"))
    return [_read_or_create_secret(key_file, lambda: FieldCipher.generate_key().decode()).encode()]


SECRET_KEY = os.environ.get("CIVHARM_SECRET_KEY") or _read_or_create_secret(
    KEYS_DIR / "django-secret.key", lambda: secrets.token_urlsafe(50)
)
FIELD_ENCRYPTION_KEYS = _field_keys()
# Keys the audit chain's HMAC: without it, entries cannot be rewritten undetected.
AUDIT_KEY = os.environ.get("CIVHARM_AUDIT_KEY") or _read_or_create_secret(
    KEYS_DIR / "audit.key", lambda: secrets.token_hex(32)
)
# Keys the ids kept for victim-list rows (see incidents/services/importing.py). Never rotate
# it: re-imports are recognised by these ids.
RECORD_ID_KEY = os.environ.get("CIVHARM_RECORD_ID_KEY") or _read_or_create_secret(
    KEYS_DIR / "record-id.key", lambda: secrets.token_hex(32)
)
# The newest audit entry's number and hash, kept outside the database (see accounts/audit.py).
AUDIT_HEAD_FILE = Path(os.environ.get("CIVHARM_AUDIT_HEAD", DATA_DIR / "audit-head.json"))
DEBUG = os.environ.get("CIVHARM_DEBUG", "") == "1"
ALLOWED_HOSTS = [
    h for h in os.environ.get("CIVHARM_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "civharm.accounts",
    "civharm.incidents",
    "civharm.analysis",
    "civharm.advocacy",
    "civharm.research",
    "civharm.training",
    "civharm.web",
    "civharm.api",
]
AUTH_USER_MODEL = "accounts.User"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.gzip.GZipMiddleware",  # above WhiteNoise, so vendored assets shrink too
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "civharm.accounts.middleware.SessionLifetimeMiddleware",
    "civharm.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]
ROOT_URLCONF = "civharm.urls"
WSGI_APPLICATION = "civharm.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "civharm.web.context.navigation",
            ]
        },
    }
]


def _databases() -> dict[str, dict[str, object]]:
    if os.environ.get("DATABASE_URL"):
        return {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "civharm.sqlite3",
            "OPTIONS": {
                # WAL: readers work while an import writes. FULL: a commit survives power loss.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
            },
        }
    }


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # lockout after repeated failures, first
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Africa/Bamako"
USE_TZ = True
STATIC_URL = "static/"
# Assets are served from the package by WhiteNoise; collectstatic only for a web server.
STATIC_ROOT = os.environ.get("CIVHARM_STATIC_ROOT") or None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve the vendored assets without a collectstatic step
WHITENOISE_AUTOREFRESH = DEBUG

# Sessions: an idle timeout (renewed at every request) and an absolute one from login.
SESSION_COOKIE_AGE = int(os.environ.get("CIVHARM_IDLE_TIMEOUT", 30 * 60))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_TIMEOUT = int(os.environ.get("CIVHARM_ABSOLUTE_TIMEOUT", 10 * 60 * 60))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# Lockout after repeated failures (django-axes): per user name, then per address.
AXES_FAILURE_LIMIT = int(os.environ.get("CIVHARM_LOCKOUT_FAILURES", 5))
AXES_COOLOFF_TIME = 1  # hour
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "civharm"

# Strict Content-Security-Policy: every asset is ours (vendored), nothing inline.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

CIVHARM = {
    "COUNTRY_PACK": os.environ.get("CIVHARM_COUNTRY_PACK", "mali"),
    # Rows per committed batch: larger batches amortise each commit's fsync and index-page
    # rewrites; a crash loses at most one batch, which the next run re-imports.
    "IMPORT_BATCH_SIZE": max(1, int(os.environ.get("CIVHARM_IMPORT_BATCH_SIZE", "5000"))),
    "GEOCODE_THRESHOLD": float(os.environ.get("CIVHARM_GEOCODE_THRESHOLD", "0.85")),
    # Disclosure control (civharm.disclosure, docs/disclosure.md): every count from 1 to
    # threshold - 1 that leaves the system for a partner or the public is suppressed, with
    # the further cells needed so that none can be worked back from what is shown.
    "SMALL_CELL_THRESHOLD": int(os.environ.get("CIVHARM_SMALL_CELL_THRESHOLD", "5")),
    # The dashboard reads a DuckDB snapshot of the register, brought up to date at most this
    # often (seconds) when a page asks for it.
    "ANALYSIS_REFRESH_SECONDS": int(os.environ.get("CIVHARM_ANALYSIS_REFRESH_SECONDS", "30")),
}

# Record linkage (`civharm link`, docs/linkage.md): pairs scored at or above link_threshold are
# linked; pairs between review_threshold and it wait for a person (at most max_review_pairs per
# run). Victim lists are held to a stricter threshold: a false merge removes a person.
# Two records of one source are never linked, except from sources of the types (or names)
# below: interviews and the press tell one event many times; a dataset or a list tells it once.
CIVHARM_LINKAGE = {
    "incident": {
        "link_threshold": 0.9,
        "review_threshold": 0.5,
        "max_review_pairs": 500,
        # A run scores with the previous run's model unless the records grew by more than
        # this share since it was trained, or it is older than this many days.
        "retrain_after_growth": 0.25,
        "retrain_after_days": 30,
        "source_types_with_duplicates": ["interview", "kobo", "media", "social_media"],
        "sources_with_duplicates": [],
    },
    "person": {
        "link_threshold": 0.95,
        "review_threshold": 0.6,
        "max_review_pairs": 500,
        "retrain_after_growth": 0.25,
        "retrain_after_days": 30,
        "source_types_with_duplicates": [],
        "sources_with_duplicates": [],
    },
}

# Logs never carry protected values; the formatter has no access to model fields anyway.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CIVHARM_LOG_LEVEL", "WARNING")},
}

# Multiple systems estimation (civharm.estimation): the methods' defaults. The latent-class
# sampler runs several long chains and checks their agreement (R-hat), never one short chain.
CIVHARM_ESTIMATION: dict[str, dict[str, object]] = {
    # Downhill search by BIC, averaged over the models visited; percentile bootstrap that
    # re-runs the search on each simulated table (model uncertainty is in the interval).
    "loglinear": {"criterion": "bic", "average": True, "n_bootstrap": 499},
    # Manrique-Vallier's latent-class model: 4 chains of 2,000 + 10,000 iterations, K = 10.
    "lcm": {"classes": 10, "chains": 4, "burn_in": 2000, "iterations": 10000, "thin": 5},
}
