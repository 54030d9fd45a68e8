"""gunicorn settings for PAPI Pulse: ``gunicorn -c python:survey.gunicorn_conf survey.wsgi:app``.

Each value can be overridden on the command line or by ``PAPI_PULSE_WORKERS`` and
``PAPI_PULSE_BIND``; ``papi-pulse serve`` uses this file.
"""

import multiprocessing
import os

from survey import serverlock

# nginx terminates HTTPS and forwards to this local port only.
bind = os.environ.get("PAPI_PULSE_BIND", "127.0.0.1:8000")

# Sync workers: requests are short and CPU-bound (render, validate, one insert), and nginx
# buffers slow phones, so a worker is never held by a slow client. Two per core keeps both
# cores busy while one worker waits on the fsync of a commit (synchronous=FULL); more only
# adds contention on SQLite's single write lock. Capped at 8: one province's traffic is a
# few requests a second even on a busy day.
workers = int(os.environ.get("PAPI_PULSE_WORKERS", min(2 * multiprocessing.cpu_count(), 8)))
worker_class = "sync"

# Off, so that every worker imports the app and opens its own SQLite connection after fork();
# a connection inherited across fork() can corrupt the database.
preload_app = False

# A request needs milliseconds; 30 s (with the 5 s SQLite busy timeout) only ends a stuck
# worker. graceful_timeout lets a worker finish its current submission on restart.
timeout = 30
graceful_timeout = 30
# Behind nginx the connection is local; a short keep-alive frees the sync worker quickly.
keepalive = 2

# gunicorn 27 opens a control socket in $HOME/.gunicorn/ by default: under DEPLOY.md's
# systemd unit (ProtectHome, writes only to the instance folder) it cannot be made, and
# servers started at once on one machine (tests, two installs) would share its path. The app
# needs none of its commands; older gunicorns ignore the setting.
control_socket_disable = True

# Recycle workers now and then so a slow leak can never grow without bound.
max_requests = 20000
max_requests_jitter = 2000

# gunicorn's own logs would write the client address and the raw path or request line (with
# the collection point's token): its access log stays off, and its error log goes through a
# logger that leaves them out (survey/gunicorn_logging.py). The app writes its own anonymous
# JSON line per request.
accesslog = None
errorlog = "-"
loglevel = "info"
logger_class = "survey.gunicorn_logging.AnonymousLogger"


def pre_request(worker, req):
    """Do nothing: gunicorn's default logs every request's path at debug level."""


# Only the local nginx may set X-Forwarded-*; the app's ProxyFix (PROXY_COUNT) reads them.
forwarded_allow_ips = "127.0.0.1,::1"


def on_starting(server):
    """Hold the server lock in the master, and so in every worker: restore refuses meanwhile."""
    serverlock.hold(serverlock.instance_folder())
