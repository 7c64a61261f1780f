"""Settings for a multi-user deployment behind HTTPS. `manage.py check --deploy` is clean.

Use with DJANGO_SETTINGS_MODULE=civharm.settings_production and DATABASE_URL set.
"""

from civharm.settings import *  # noqa: F403

DEBUG = False
SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
