"""The server lock: ``restore`` refuses to replace the database under a running server.

Every way of serving the app holds a shared ``flock`` on ``<instance>/server.lock`` for its
whole life: the gunicorn master (its ``on_starting`` hook, so ``papi-pulse serve`` and a bare
``gunicorn -c python:survey.gunicorn_conf`` alike), waitress (``serve --server waitress``) and
the development server (``papi-pulse run``). gunicorn's workers inherit the master's open file
and with it the lock. ``restore`` asks for the lock exclusively without waiting and stops with
one line when it cannot have it; it keeps it while it copies, so a server started meanwhile
waits for the restore to end instead of opening a half-copied file.

Why ``flock`` and not a pid file: the kernel drops the lock when the last process holding the
file goes, also on ``kill -9`` or a power cut, so a stale lock cannot block a restore; a stale
pid file can, and a recycled pid can fool it. Windows has no ``flock``: there the lock is not
taken and the operator must stop the server first, as docs/DEPLOY.md says.
"""

import contextlib
import os

from flask import Flask

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

LOCK_NAME = "server.lock"
_held: dict[str, int] = {}


class ServerRunning(Exception):
    """A server holds the lock: the database is in use."""


def lock_path(instance_path) -> str:
    """Return the path of the lock file of an instance folder."""
    return os.path.join(instance_path, LOCK_NAME)


def instance_folder() -> str:
    """Return the instance folder create_app will use, without creating the app."""
    return Flask(
        "survey", instance_path=os.environ.get("PAPI_PULSE_INSTANCE") or None
    ).instance_path


def _open(instance_path) -> int:
    """Open (and create) the lock file of an instance folder."""
    os.makedirs(instance_path, exist_ok=True)
    return os.open(lock_path(instance_path), os.O_RDWR | os.O_CREAT, 0o600)


def hold(instance_path) -> None:
    """Hold the shared server lock until this process ends; wait while a restore runs."""
    path = lock_path(instance_path)
    if fcntl is None or path in _held:
        return
    fd = _open(instance_path)
    fcntl.flock(fd, fcntl.LOCK_SH)
    _held[path] = fd


def release(instance_path) -> None:
    """Give up the server lock held by hold() in this process (a server that stops, tests)."""
    fd = _held.pop(lock_path(instance_path), None)
    if fd is not None:
        os.close(fd)


@contextlib.contextmanager
def exclusive(instance_path):
    """Hold the lock alone for the block; raise ServerRunning if any server holds it."""
    if fcntl is None:
        yield
        return
    fd = _open(instance_path)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ServerRunning(lock_path(instance_path)) from None
        yield
    finally:
        os.close(fd)
