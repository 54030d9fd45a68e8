"""Rate-limit test helpers: a clock that stands still inside survey.ratelimit."""


class FixedClock:
    """Stands in for the time module inside survey.ratelimit: the hour stands still.

    Patched with ``monkeypatch.setattr(ratelimit, "time", FixedClock(moment))``, so that the
    wait a refusal shows is known in advance; every other clock of the app keeps running.
    """

    def __init__(self, now: float):
        self.now = now

    def time(self) -> float:
        """Return the fixed moment."""
        return self.now
