"""WSGI entry of the peer benchmark project."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerproj")
from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
