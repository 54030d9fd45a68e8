"""Shared pieces of the load and crash benchmarks: a throw-away instance, a gunicorn server on
127.0.0.1, a browser-like client that answers whole questionnaires, and the exactly-once check.

Only ever talks to 127.0.0.1. Every loop is bounded by a count and a deadline.
"""

import contextlib
import http.client
import os
import random
import re
import resource
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
_CHOICE = re.compile(r'<input type="(radio|checkbox)" id="[^"]*" name="([^"]+)" value="([^"]*)"')
_TEXT = re.compile(r'<(textarea|input class="number" type="text")[^>]* name="([^"]+)"')
_ACTION = re.compile(r'<form method="post" id="page-form" action="([^"]+)"')


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_instance(
    folder: Path, extra_env: dict | None = None, python=PYTHON, root=ROOT
) -> tuple[dict, str, str]:
    """Create an instance with the demo point; return (environment, point token, secret key)."""
    folder.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PAPI_PULSE_INSTANCE=str(folder), **(extra_env or {}))
    # One address sends everything here: limits far above the load keep the limiter's code
    # path (one small write transaction per start and per finish) without refusing anyone.
    env.setdefault("PAPI_PULSE_RATE_LIMIT_STARTS_PER_HOUR", "1000000000")
    env.setdefault("PAPI_PULSE_RATE_LIMIT_SUBMISSIONS_PER_HOUR", "1000000000")
    out = subprocess.run(
        [_papi_pulse(python), "demo"],
        env=env,
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    token = re.search(r"/s/([A-Z0-9]+)", out).group(1)
    secret = (folder / "secret_key").read_text().strip()
    return env, token, secret


def _papi_pulse(python=PYTHON) -> str:
    """Return the papi-pulse script of a virtual environment (this one by default)."""
    return str(Path(python).parent / "papi-pulse")


def server_command(port: int, workers: int | None = None, python: str = PYTHON) -> list[str]:
    """Return the command line of the deployed server (``papi-pulse serve``, docs/DEPLOY.md).

    ``workers`` None keeps the deployed default of survey/gunicorn_conf.py.
    """
    command = [python, "-m", "gunicorn", "-c", "python:survey.gunicorn_conf"]
    if workers is not None:
        command += ["--workers", str(workers)]
    return [*command, "--bind", f"127.0.0.1:{port}", "survey.wsgi:app"]


def start_server(
    env: dict, port: int, workers: int | None = 2, log=None, python=PYTHON, root=ROOT
) -> subprocess.Popen:
    """Start gunicorn with the production settings and wait until /healthz answers.

    ``python`` and ``root`` serve another checkout (a baseline) with its own environment.
    """
    server = subprocess.Popen(  # noqa: S603 - fixed command
        server_command(port, workers, python),
        env=env,
        cwd=root,
        stdout=log or subprocess.DEVNULL,
        stderr=log or subprocess.DEVNULL,
    )
    wait_for(server, port, "/healthz")
    return server


def wait_for(server: subprocess.Popen, port: int, path: str) -> None:
    """Wait until the server answers path, for at most 30 s."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        with contextlib.suppress(OSError, http.client.HTTPException), contextlib.closing(conn):
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status in (200, 503):
                return
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited at start")
        time.sleep(0.1)
    server.kill()
    raise RuntimeError("gunicorn did not answer within 30 s")


def worker_pids(master: int) -> list[int]:
    """Return the pids of the processes whose parent is master (Linux /proc)."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                    children.append(int(entry.name))
    return children


def stop_server(server: subprocess.Popen) -> None:
    """Stop gunicorn gracefully and wait for it."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


class Browser:
    """A browser with a cookie jar that talks to one local server, one request at a time."""

    def __init__(self, port: int, timings: dict):
        self.port, self.cookies, self.timings = port, {}, timings
        self.failure = ""

    def request(self, kind: str, method: str, path: str, form: dict | None = None):
        """Send one request; record its latency under kind; return (status, headers, body)."""
        body = urllib.parse.urlencode(form, doseq=True) if form is not None else None
        headers = {"Accept-Language": "vi"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        self.timings.setdefault(kind, []).append(time.perf_counter() - started)
        for header in response.msg.get_all("Set-Cookie") or []:
            pair = header.split(";", 1)[0]
            name, _, value = pair.partition("=")
            if "Max-Age=0" in header or "1970" in header:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response.status, response.msg, data.decode("utf-8", "replace")


def answer_form(html: str, rng: random.Random) -> tuple[str, dict]:
    """Return (action path, form data) answering every visible item of a question page."""
    action = _ACTION.search(html).group(1)
    data = {name: value for name, value in _HIDDEN.findall(html)}
    options: dict[str, list[str]] = {}
    for _kind, name, value in _CHOICE.findall(html):
        options.setdefault(name, []).append(value)
    typed = {name for _tag, name in _TEXT.findall(html)}
    for name in typed:
        data[name] = "3" if name not in _textareas(html) else "Thủ tục nhanh, cán bộ tận tình."
    for name, values in options.items():
        if name in typed:
            continue
        # The first options are ordinary answers; the last ones are often "don't know".
        data[name] = rng.choice(values[: max(1, len(values) - 1)] if len(values) > 2 else values)
    data["action"] = "next"
    return action, data


def _textareas(html: str) -> set[str]:
    """Return the names of the page's text areas."""
    return set(re.findall(r'<textarea id="[^"]*" name="([^"]+)"', html))


def begin(browser: Browser, token: str) -> str | None:
    """GET the welcome page and POST start with its CSRF token; return the first page's URL."""
    status, _headers, html = browser.request("welcome", "GET", f"/s/{token}")
    if status != 200:
        browser.failure = f"welcome {status}"
        return None
    csrf = _HIDDEN.search(html.split('action="/s/', 1)[-1])
    form = {"csrf_token": csrf.group(2)} if csrf else {}
    status, headers, _ = browser.request("start", "POST", f"/s/{token}/start", form)
    if status != 303 or "/p/" not in headers["Location"]:
        browser.failure = f"start {status}"
        return None
    return headers["Location"]


def submit_one(browser: Browser, token: str, rng: random.Random, double_tap: bool) -> str | None:
    """Answer one questionnaire like a person; return its draft state on acknowledgement."""
    location = begin(browser, token)
    if location is None:
        return None
    for _page in range(40):
        status, _headers, html = browser.request("page", "GET", location)
        if status != 200:
            browser.failure = f"page GET {status}"
            return None
        action, form = answer_form(html, rng)
        status, headers, _ = browser.request("answer", "POST", action, form)
        if status == 303 and "/thanks" in headers["Location"]:
            # The final POST was the acknowledged submission: re-time it under "submit".
            browser.timings["submit"] = browser.timings.get("submit", [])
            browser.timings["submit"].append(browser.timings["answer"].pop())
            if double_tap:
                browser.request("double_tap", "POST", action, form)
            browser.request("thanks", "GET", headers["Location"])
            return form["state"]
        if status != 303:
            browser.failure = f"page POST {status}"
            return None
        location = headers["Location"]
    browser.failure = "no end"
    return None


def client_loop(args) -> dict:
    """Submit questionnaires until the deadline or the count; return timings and states."""
    port, token, deadline, max_count, seed, double_tap_share = args
    rng = random.Random(seed)
    timings: dict[str, list[float]] = {}
    acked, errors, failed, why = [], 0, 0, {}
    while time.time() < deadline and len(acked) < max_count:
        browser = Browser(port, timings)
        try:
            state = submit_one(browser, token, rng, rng.random() < double_tap_share)
        except (OSError, http.client.HTTPException):
            errors += 1
            time.sleep(0.05)
            continue
        if state is None:
            failed += 1
            why[browser.failure] = why.get(browser.failure, 0) + 1
        else:
            acked.append(state)
    return {"timings": timings, "acked": acked, "errors": errors, "failed": failed, "why": why}


def response_ids(states: list[str], secret: str, token: str) -> list[str]:
    """Decode the response ids out of signed draft states."""
    sys.path.insert(0, str(ROOT))
    from survey.citizen import draft

    ids = []
    for state in states:
        decoded = draft.load(state, secret, token, 10**9)
        if decoded is None:
            raise AssertionError("an acknowledged state does not decode")
        ids.append(decoded.response_id)
    return ids


def verify(database: Path, acked_ids: list[str]) -> dict:
    """Check that every acknowledged id is stored exactly once and the file is sound."""
    conn = sqlite3.connect(database)
    try:
        stored = [row[0] for row in conn.execute("SELECT id FROM responses")]
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
    counts: dict[str, int] = {}
    for rid in stored:
        counts[rid] = counts.get(rid, 0) + 1
    return {
        "acknowledged": len(acked_ids),
        "distinct_acknowledged": len(set(acked_ids)),
        "stored": len(stored),
        "missing": [rid for rid in set(acked_ids) if rid not in counts],
        "duplicated": [rid for rid, n in counts.items() if n > 1],
        "integrity": integrity,
    }


def count_rows(database: Path, table: str) -> int:
    """Return the number of rows of a table (a fixed name) in a database file."""
    conn = sqlite3.connect(database, timeout=30)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
    finally:
        conn.close()


def percentile(values: list[float], share: float) -> float:
    """Return the share-th percentile (nearest rank) of values, in milliseconds."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def cpu_seconds(pid: int) -> float:
    """Return the user + system CPU seconds a process has used (Linux /proc), 0 once gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> float:
    """Return the one-minute load average."""
    return os.getloadavg()[0]


_WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse_wrk(out: str) -> dict:
    """Return requests/s, p50 and p99 latency (ms) and the failed requests of wrk's summary."""
    figures = {"requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for share in ("50", "99"):
        value, unit = re.search(rf"\s{share}%\s+([\d.]+)(us|ms|s)", out).groups()
        figures[f"p{share}_ms"] = round(float(value) * _WRK_UNITS[unit], 2)
    figures["requests"] = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    figures["non_2xx_3xx"] = int(bad.group(1)) if bad else 0
    figures["socket_errors"] = errors.group(1).strip() if errors else ""
    return figures


def run_wrk(command: list[str], env: dict | None = None) -> tuple[str, float]:
    """Run wrk to the end; return its output and the CPU seconds it used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(  # noqa: S603 - fixed command, local URL
        command, capture_output=True, text=True, check=True, env=env
    ).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return out, used


def measure(master: int, command: list[str], count_rows, env=None, trace: Path | None = None):
    """Run wrk against a server; return its figures with the CPU of master, workers and wrk.

    ``count_rows()`` returns the number of stored submissions, so that CPU is divided by what
    was really stored. With ``trace`` the workers run under ``strace -c -f`` (which slows them:
    use those runs for syscall counts only) and the counts per stored row are added.
    """
    workers = worker_pids(master)
    tracer = None
    if trace is not None:
        argv = ["strace", "-c", "-f", "-o", str(trace), "-e", f"trace={','.join(TRACED)}"]
        for pid in workers:
            argv += ["-p", str(pid)]
        tracer = subprocess.Popen(argv, stderr=subprocess.DEVNULL)  # noqa: S603
        wait_traced(workers)
    disk = durable_commits_per_s(trace.parent if trace else Path(tempfile.gettempdir()))
    load_before, rows_before = load_average(), count_rows()
    cpu_before = {pid: cpu_seconds(pid) for pid in [master, *workers]}
    out, wrk_cpu = run_wrk(command, env)
    cpu = {pid: cpu_seconds(pid) - cpu_before[pid] for pid in cpu_before}
    stored = count_rows() - rows_before
    figures = parse_wrk(out)
    figures.update(
        stored=stored,
        workers=len(workers),
        worker_cpu_ms_per_submit=round(1000 * sum(cpu[pid] for pid in workers) / max(stored, 1), 2),
        master_cpu_ms=round(1000 * cpu[master], 1),
        wrk_cpu_ms_per_request=round(1000 * wrk_cpu / max(figures["requests"], 1), 3),
        durable_commits_per_s=disk,
        load_before=round(load_before, 2),
        load_after=round(load_average(), 2),
    )
    if tracer is not None:
        tracer.send_signal(signal.SIGINT)
        tracer.wait(timeout=30)
        calls = syscall_counts(trace.read_text())
        for name in TRACED:
            figures[f"{name}_per_submit"] = round(calls.get(name, 0) / max(stored, 1), 3)
    return figures


def wait_traced(pids: list[int]) -> None:
    """Wait (at most 10 s) until every process has a tracer attached."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        status = [Path(f"/proc/{pid}/status").read_text() for pid in pids]
        if all("TracerPid:\t0" not in text for text in status):
            return
        time.sleep(0.01)
    raise RuntimeError("strace did not attach within 10 s")


# The syscalls counted on the workers: the durable writes, the sleeps of SQLite's busy wait,
# and the writers' queue (survey/db.py).
TRACED = ("fsync", "fdatasync", "clock_nanosleep", "nanosleep", "flock")


def syscall_counts(summary: str) -> dict[str, int]:
    """Return the calls per syscall of an ``strace -c`` summary."""
    counts = {}
    for line in summary.splitlines():
        parts = line.split()
        if len(parts) >= 5 and parts[-1] in TRACED and parts[3].isdigit():
            counts[parts[-1]] = int(parts[3])
    return counts


def durable_commits_per_s(folder: Path, seconds: float = 1.0) -> float:
    """Return how many one-row durable commits (WAL, synchronous=FULL) the disk takes a second.

    The ceiling of any app that commits each submission on its own: measured beside every run,
    because the disk is shared with whatever else the machine does.
    """
    from sqlite_utils.utils import sqlite3 as app_sqlite  # the app's own SQLite library

    path = folder / "probe.sqlite3"
    conn = app_sqlite.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("CREATE TABLE IF NOT EXISTS t (x TEXT)")
        # As in the app's steady state, the WAL is rewritten in place, not grown: growing a
        # file makes each fsync write its metadata too.
        conn.execute("PRAGMA wal_autocheckpoint = 50")
        for _ in range(120):
            conn.execute("INSERT INTO t VALUES (?)", ["x" * 200])
        count, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t VALUES (?)", ["x" * 200])
            conn.execute("COMMIT")
            count += 1
        return round(count / (time.perf_counter() - started), 1)
    finally:
        conn.close()
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                os.remove(f"{path}{suffix}")
