"""The WSGI entry point for production servers: ``gunicorn survey.wsgi:app``.

Every worker imports this module itself (``preload_app = False`` in the gunicorn settings),
so each opens its own SQLite connections; none is inherited across ``fork()``.
"""

from survey import create_app
from survey.config import refuse_debug

app = create_app()
refuse_debug(app.config)
