"""The languages PAPI Pulse speaks: Vietnamese first, English second.

Plain data, no Flask, so that the questionnaire model, exports, the command line and the web
layer all read the same tuple. The interface (gettext catalogues in translations/) and the
questionnaire wording (``text_vi`` / ``text_en`` in each file) come in exactly these.
"""

LOCALES = ("vi", "en")
DEFAULT_LOCALE = "vi"  # the language of the citizens asked; the fallback everywhere


def or_default(lang: str | None) -> str:
    """Return lang if it is one of LOCALES, else the default locale."""
    return lang if lang in LOCALES else DEFAULT_LOCALE
