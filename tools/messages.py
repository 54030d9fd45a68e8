"""Refresh the message catalogues: extract, update, keep English identical to its msgids.

Usage:
  python tools/messages.py update          extract strings, update vi and en catalogues
  python tools/messages.py fill FILE.json   set Vietnamese msgstr from {"msgid": "msgstr"}
                                           (a plural msgid maps to a list of forms)
Both take a lock, so that several people refreshing at once do not overwrite each other.
"""

import fcntl
import json
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from babel.messages.pofile import read_po, write_po

from survey.locales import LOCALES

ROOT = Path(__file__).resolve().parent.parent
POT = ROOT / "translations" / "messages.pot"


def po_path(locale: str) -> Path:
    """Return the catalogue path of a locale."""
    return ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po"


@contextmanager
def locked():
    """Hold an exclusive lock on the translations folder."""
    with open(ROOT / "translations" / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _pybabel(*args: str) -> None:
    """Run pybabel from this interpreter's environment."""
    subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "babel.messages.frontend", *args],
        check=True,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )


def update() -> None:
    """Extract messages and merge them into every catalogue; English msgstr = msgid."""
    _pybabel(
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "_l",
        "--no-location",
        "--sort-output",
        "--omit-header",
        "-o",
        str(POT),
        ".",
    )
    for locale in LOCALES:
        if po_path(locale).exists():
            _pybabel(
                "update",
                "-i",
                str(POT),
                "-d",
                "translations",
                "-l",
                locale,
                "--no-fuzzy-matching",
                "--ignore-obsolete",
                "--omit-header",
            )
        else:
            _pybabel("init", "-i", str(POT), "-d", "translations", "-l", locale)
    catalog = _read("en")
    for message in catalog:
        if message.id:
            message.string = message.id
    _write("en", catalog)


def fill(pairs: dict) -> list[str]:
    """Set Vietnamese translations; return msgids not found in the catalogue."""
    catalog = _read("vi")
    missing = []
    for msgid, msgstr in pairs.items():
        message = catalog.get(msgid)
        if message is None:
            missing.append(msgid)
            continue
        message.string = tuple(msgstr) if isinstance(msgstr, list) else msgstr
        message.flags.discard("fuzzy")
    _write("vi", catalog)
    return missing


def _read(locale):
    """Read a catalogue."""
    with po_path(locale).open("rb") as handle:
        return read_po(handle, locale=locale)


def _write(locale, catalog):
    """Write a catalogue without line numbers or wrapping noise."""
    with po_path(locale).open("wb") as handle:
        write_po(
            handle,
            catalog,
            omit_header=True,
            no_location=True,
            width=100,
            sort_output=True,
            include_previous=False,
        )


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "update"
    with locked():
        update()
        if command == "fill":
            unknown = fill(json.loads(Path(sys.argv[2]).read_text(encoding="utf-8")))
            for msgid in unknown:
                print(f"not in catalogue (run update?): {msgid}", file=sys.stderr)
