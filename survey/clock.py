"""The app's timestamps: UTC, ISO 8601, whole seconds (a module of its own, importing nothing)."""

from datetime import UTC, datetime


def now_iso() -> str:
    """Return the current UTC time as ISO 8601 with seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")
