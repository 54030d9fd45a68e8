"""Where the templates and translations live, resolved once.

In a checkout they are the top-level ``templates/`` and ``translations/`` folders; in an
installed wheel setup.cfg maps them into the package as ``survey/_templates`` and
``survey/_translations``.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT_DIR = PACKAGE_DIR.parent


def _resolve(top_level: str, packaged: str) -> Path:
    """Return the checkout folder if this is a checkout, else the packaged copy."""
    checkout = _CHECKOUT_DIR / top_level
    if checkout.is_dir() and (_CHECKOUT_DIR / "setup.cfg").is_file():
        return checkout
    return PACKAGE_DIR / packaged


TEMPLATES_DIR = _resolve("templates", "_templates")
TRANSLATIONS_DIR = _resolve("translations", "_translations")
STATIC_DIR = PACKAGE_DIR / "static"
