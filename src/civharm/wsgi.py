"""WSGI entry point for a multi-user deployment behind a web server."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civharm.settings")
application = get_wsgi_application()
