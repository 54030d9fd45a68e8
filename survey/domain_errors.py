"""The errors an operation raises: one small hierarchy, each error named by a code (no Flask).

An operation (``op(db, actor, ...)``) either returns the fresh row or raises a ``DomainError``
whose ``code`` says why and whose ``params`` fill the message. The web layer words the code
in the reader's language and answers a 4xx; the command line prints one line and exits
non-zero. ``Refused`` is the one error every operation shares: the actor may not do this.
"""


class DomainError(ValueError):
    """An operation that cannot be done as asked; ``code`` names the reason, ``params`` fill it."""

    def __init__(self, code: str, /, **params):
        super().__init__(f"{code}: {params}" if params else code)
        self.code = code
        self.params = params


class Refused(DomainError):
    """The actor may not do this (role or area); nothing was written."""

    def __init__(self, code: str = "not_allowed", /, **params):
        super().__init__(code, **params)


def require(allowed: bool, **params) -> None:
    """Raise Refused unless the access check passed."""
    if not allowed:
        raise Refused(**params)
