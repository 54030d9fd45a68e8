"""Checkers for whole pages: axe-core in a real Chromium, the Nu HTML checker over saved files.

Both come from npm, pinned in tests/js/package-lock.json and installed by `make install-test`
into tests/js/node_modules (git-ignored). The Nu checker runs on Debian's Java.
"""

import json
import os
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

JS = Path(__file__).parent / "js" / "node_modules"
AXE = JS / "axe-core" / "axe.min.js"
VNU = JS / "vnu-jar" / "build" / "dist" / "vnu.jar"
# axe's impact levels that fail a page; "moderate" and "minor" are reported, not failed.
FAILING_IMPACTS = ("serious", "critical")
# The Nu checker's CSS parser (the W3C CSS validator's) does not know container queries (CSS
# Containment 3, in Chromium since 105), which posters use to fit the typed address: its
# messages about a line using them are the checker's gap, not the page's error.
CSS_THE_CHECKER_LACKS = re.compile(r"container-type|\d(cqi|cqb|cqw|cqh|cqmin|cqmax)\b")


def need_checkers() -> None:
    """Fail on CI, skip elsewhere, when axe-core, vnu.jar or Java is missing."""
    missing = [str(path) for path in (AXE, VNU) if not path.is_file()]
    if shutil.which("java") is None:
        missing.append("java")
    if not missing:
        return
    message = (
        f"{', '.join(missing)} missing: run `make install-test` "
        "(apt default-jre-headless, npm ci --prefix tests/js)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def axe_version() -> str:
    """Return the version of the pinned axe-core."""
    return json.loads((AXE.parent / "package.json").read_text())["version"]


def run_axe(driver) -> list[dict]:
    """Inject axe-core into the page shown and return its violations.

    The pages' Content-Security-Policy forbids inline and foreign scripts; WebDriver's
    execute_script evaluates through the DevTools protocol, which CSP does not govern, so
    the page itself stays exactly as served.
    """
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => done({version: axe.version, violations: r.violations}),"
        " e => done({error: String(e)}));"
    )
    if "error" in result:
        raise RuntimeError(f"axe failed on {driver.current_url}: {result['error']}")
    assert result["version"] == axe_version()
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [" ".join(map(str, node["target"])) for node in v["nodes"][:3]],
        }
        for v in result["violations"]
    ]


def failing(violations: list[dict]) -> list[dict]:
    """Return the violations serious or critical enough to fail a page."""
    return [v for v in violations if v["impact"] in FAILING_IMPACTS]


def run_vnu(files: list[Path]) -> dict[Path, list[str]]:
    """Check every file with the Nu HTML checker in one Java run; return errors by file."""
    found = {path: [] for path in files}
    if not files:
        return found
    done = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--exit-zero-always", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    by_url = {path.resolve().as_uri(): path for path in files}
    for message in json.loads(done.stderr or done.stdout)["messages"]:
        if message["type"] not in ("error", "non-document-error"):
            continue
        # Depending on the Java version the checker writes file:/x or file:///x.
        url = message.get("url", "").replace("file:/", "file:///", 1).replace("////", "///")
        path = by_url.get(url, Path(url))
        if _checker_gap(path, message):
            continue
        found.setdefault(path, []).append(
            f"line {message.get('lastLine', '?')}: {message['message']}"
        )
    return found


def _checker_gap(path: Path, message: dict) -> bool:
    """Tell whether a message is about CSS the checker does not know (see above)."""
    if not message["message"].startswith("CSS: ") or "lastLine" not in message:
        return False
    lines = path.read_text(encoding="utf-8").splitlines()
    return bool(CSS_THE_CHECKER_LACKS.search(lines[message["lastLine"] - 1]))


class Recorder:
    """WSGI middleware keeping, for each response, its method, path, status, type and HTML."""

    def __init__(self, app):
        self.app = app
        self.seen = []
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        """Pass the request on; keep what was answered once the body has been sent."""
        query = environ.get("QUERY_STRING")
        record = {
            "method": environ["REQUEST_METHOD"],
            "path": environ["PATH_INFO"] + (f"?{query}" if query else ""),
            "done": False,
        }

        def start(status, headers, exc_info=None):
            record["status"] = int(status.split()[0])
            record["type"] = dict(headers).get("Content-Type", "")
            location = urlsplit(dict(headers).get("Location", ""))
            record["location"] = location.path + (f"?{location.query}" if location.query else "")
            return start_response(status, headers, exc_info)

        with self.lock:
            self.seen.append(record)
        body = self.app(environ, start)
        chunks = []
        try:
            for chunk in body:
                chunks.append(chunk)
                yield chunk
        finally:
            if hasattr(body, "close"):
                body.close()
            html = record.get("type", "").startswith("text/html")
            # A download the browser refused ends early: its type and status are enough.
            record["html"] = b"".join(chunks) if html else None
            record["done"] = True

    def first_since(self, mark: int, method: str | None, path: str, html: bool = False):
        """Wait for the first finished response after the mark-th to path (any method if None).

        The browser may see the last byte of a page before the server thread has finished
        with it, and a refused download ends whenever the server notices; so wait, up to a
        deadline, for the response to be complete. Return None if none came.
        """
        deadline = time.monotonic() + 30
        while True:
            with self.lock:
                found = [
                    r
                    for r in self.seen[mark:]
                    if r["path"] == path
                    and method in (None, r["method"])
                    and (not html or r.get("type", "").startswith("text/html"))
                ]
            if found and found[0]["done"]:
                return found[0]
            if time.monotonic() > deadline:
                return None
            time.sleep(0.01)
