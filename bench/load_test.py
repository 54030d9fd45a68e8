"""Load test: complete questionnaires through gunicorn on 127.0.0.1, as a browser; or, with
``--rate``, the final submit's rate under wrk beside a baseline checkout and the peer.

    .venv/bin/python bench/load_test.py [--clients 16] [--seconds 20] [--workers N] [--no-wrk]
    .venv/bin/python bench/load_test.py --rate [--rounds 3] [--seconds 10] [--workers N]
        [--baseline /tmp/old-checkout] [--peer /tmp/peer-venv] [--strace]

The server is started as deployed (``papi-pulse serve``: survey/gunicorn_conf.py, whose
default is 2 workers per core); ``--workers`` overrides the count.

Starts gunicorn on a fresh temporary instance with the demo point, runs N client processes
that each GET the welcome page, POST start with its CSRF token, then GET and POST every question
page (answering every visible item, cookies kept) until the thank-you page; 5 % double-tap the
final button. Prints submissions/s, question pages/s, p50/p99 latency per request kind, then
checks that every acknowledged submission (a 303 to /thanks) is stored exactly once. With
wrk installed it also measures 16 connections on one question page GET.

``--rate``: per round and target a fresh server and instance, then wrk (2 threads, 16
connections) posting the final page, each body a new respondent. One JSON line per run: wrk's
requests/s and p50/p99, rows really stored, worker CPU ms per stored submit, the master's CPU,
wrk's own CPU per request, the disk's raw durable commits/s just before, and the load average
before and after. Targets, interleaved: ``old`` (``--baseline``: a checkout with its own
``.venv``, e.g. ``git worktree add --detach /tmp/old main``), ``new`` (this checkout) and
``peer`` (``--peer``: the virtual environment of bench/peer/README.md; as many workers as
ours). ``--strace`` adds one run per target under ``strace -c -f`` on the workers and prints
fsyncs, SQLite busy-wait sleeps and writer-queue flocks per submit (strace slows the workers:
read those runs for counts only).
"""

import argparse
import json
import multiprocessing
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import loadlib  # noqa: E402
from peer import harness  # noqa: E402

from survey import gunicorn_conf  # noqa: E402
from survey.citizen import draft as drafts  # noqa: E402


def run_clients(port, token, clients, seconds, per_client_max, double_tap=0.05) -> dict:
    """Run the client processes; return merged timings, acknowledged states and wall time."""
    deadline = time.time() + seconds
    jobs = [(port, token, deadline, per_client_max, seed, double_tap) for seed in range(clients)]
    started = time.perf_counter()
    with multiprocessing.Pool(clients) as pool:
        results = pool.map(loadlib.client_loop, jobs)
    wall = time.perf_counter() - started
    merged = {"timings": {}, "acked": [], "errors": 0, "failed": 0, "wall": wall, "why": {}}
    for result in results:
        for kind, values in result["timings"].items():
            merged["timings"].setdefault(kind, []).extend(values)
        merged["acked"] += result["acked"]
        merged["errors"] += result["errors"]
        merged["failed"] += result["failed"]
        for reason, count in result["why"].items():
            merged["why"][reason] = merged["why"].get(reason, 0) + count
    return merged


def report(merged: dict) -> dict:
    """Print and return the throughput and latency figures."""
    wall, timings = merged["wall"], merged["timings"]
    every = [value for values in timings.values() for value in values]
    figures = {
        "seconds": round(wall, 1),
        "submissions_per_s": round(len(timings.get("submit", [])) / wall, 1),
        "question_pages_per_s": round(len(timings.get("page", [])) / wall, 1),
        "requests_per_s": round(len(every) / wall, 1),
        "p50_ms_all": round(loadlib.percentile(every, 0.50), 1),
        "p99_ms_all": round(loadlib.percentile(every, 0.99), 1),
        "errors": merged["errors"],
        "unfinished": merged["failed"],
        "unfinished_why": merged["why"],
    }
    for kind in ("welcome", "start", "page", "answer", "submit", "double_tap", "thanks"):
        values = timings.get(kind, [])
        if values:
            figures[f"{kind}_n_p50_p99_ms"] = (
                len(values),
                round(loadlib.percentile(values, 0.5), 1),
                round(loadlib.percentile(values, 0.99), 1),
            )
    print(json.dumps(figures, indent=1))
    return figures


def wrk_page(port: int, token: str, seconds: int = 10) -> str:
    """Measure one question page GET with wrk, 16 connections; return wrk's summary."""
    if not shutil.which("wrk"):
        return "wrk not installed (apt-get install wrk)"
    browser = loadlib.Browser(port, {})
    url = f"http://127.0.0.1:{port}{loadlib.begin(browser, token)}"
    cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    out = subprocess.run(  # noqa: S603 - fixed command, local URL
        ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "-H", f"Cookie: {cookie}", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out


SUBMIT_LUA = """
local counter = 1
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  bodies = {}
  for line in io.lines(os.getenv("PAPI_BODIES")) do bodies[#bodies + 1] = line end
  n = 0
end
function request()
  n = n + 1
  local body = bodies[((n - 1) * 2 + id - 1) % #bodies + 1]
  return wrk.format("POST", nil, nil, body)
end
"""


def wrk_submit(port: int, token: str, secret: str, folder: Path, seconds: int = 10) -> str:
    """Measure final-page submissions with wrk, 16 connections; return wrk's summary."""
    if not shutil.which("wrk"):
        return "wrk not installed (apt-get install wrk)"
    command, env = submit_command(port, token, secret, folder, seconds)
    return loadlib.run_wrk(command, env)[0]


def submit_command(port, token, secret, folder: Path, seconds=10, connections=16):
    """Return the wrk command (and its environment) of final-page submissions.

    One questionnaire is answered up to its last page; its final form is then replayed with
    drafts re-signed under fresh response ids, so every request is a real, distinct insert.
    """
    browser, rng = loadlib.Browser(port, {}), random.Random(1)
    location = loadlib.begin(browser, token)
    while True:
        _status, _headers, html = browser.request("page", "GET", location)
        action, form = loadlib.answer_form(html, rng)
        if re.search(r'value="next">(Gửi câu trả lời|Send my answers)</button>', html):
            break
        location = browser.request("answer", "POST", action, form)[1]["Location"]
    draft = drafts.load(form["state"], secret, token, 10**9)
    with open(folder / "bodies.txt", "w") as handle:
        for _ in range(60_000):
            draft.response_id = uuid.uuid4().hex
            body = dict(form, state=drafts.dump(draft, secret, token))
            handle.write(urllib.parse.urlencode(body) + "\n")
    (folder / "submit.lua").write_text(SUBMIT_LUA)
    session = f"session={browser.cookies['session']}"
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(folder / "submit.lua"),
        "-H",
        f"Cookie: {session}",
        "-H",
        "Content-Type: application/x-www-form-urlencoded",
        f"http://127.0.0.1:{port}{action}",
    ]
    return command, dict(os.environ, PAPI_BODIES=str(folder / "bodies.txt"))


def rate_app(root: Path, workers, seconds, connections, trace=False) -> dict:
    """Serve the checkout at root as deployed on a fresh instance; measure wrk submissions."""
    python = str(root / ".venv" / "bin" / "python") if root != loadlib.ROOT else loadlib.PYTHON
    with tempfile.TemporaryDirectory(prefix="papi-rate-") as name:
        folder = Path(name)
        env, token, secret = loadlib.make_instance(folder / "instance", python=python, root=root)
        port = loadlib.free_port()
        with open(folder / "server.log", "wb") as log:
            server = loadlib.start_server(env, port, workers, log, python=python, root=root)
            try:
                command, wrk_env = submit_command(port, token, secret, folder, seconds, connections)
                database = folder / "instance" / "papi-pulse.sqlite3"
                return loadlib.measure(
                    server.pid,
                    command,
                    lambda: loadlib.count_rows(database, "responses"),
                    wrk_env,
                    trace=folder / "strace.txt" if trace else None,
                )
            finally:
                loadlib.stop_server(server)


def rate_peer(venv: Path, workers, seconds, connections, trace=False) -> dict:
    """Serve the peer on a fresh database; measure its one-page submit with the same wrk."""
    with tempfile.TemporaryDirectory(prefix="papi-peer-") as name:
        folder = Path(name)
        port = loadlib.free_port()
        with open(folder / "server.log", "wb") as log:
            server = harness.start(venv, folder / "peer", port, workers or DEPLOYED, log)
            try:
                loadlib.wait_for(server, port, "/survey/1/")
                command = harness.wrk_command(port, folder, seconds, connections)
                return loadlib.measure(
                    server.pid,
                    command,
                    lambda: harness.stored(folder / "peer"),
                    trace=folder / "strace.txt" if trace else None,
                )
            finally:
                loadlib.stop_server(server)


def submit_rate(args) -> int:
    """Measure submissions/s of this checkout, a baseline and the peer, interleaved in rounds."""
    targets = [("new", lambda trace: rate_app(loadlib.ROOT, *shape(args), trace))]
    if args.baseline:
        old = Path(args.baseline).resolve()
        targets.insert(0, ("old", lambda trace: rate_app(old, *shape(args), trace)))
    if args.peer:
        peer = Path(args.peer).resolve()
        targets.append(("peer", lambda trace: rate_peer(peer, *shape(args), trace)))
    print(" ".join(loadlib.server_command(8000, args.workers)))
    results = {label: [] for label, _run in targets}
    for round_ in range(1, args.rounds + 1):
        for label, run in targets:
            figures = run(False)
            results[label].append(figures)
            print(json.dumps({"round": round_, "target": label, **figures}), flush=True)
    if args.strace:
        for label, run in targets:
            print(json.dumps({"strace": label, **run(True)}), flush=True)
    for label, runs in results.items():
        if not runs:
            continue
        summary = {
            key: [min(run[key] for run in runs), max(run[key] for run in runs)] for key in SUMMARY
        }
        print(json.dumps({"target": label, "min_max": summary}))
    return 0


# The app's workers as deployed (survey/gunicorn_conf.py); the peer gets as many.
DEPLOYED = gunicorn_conf.workers
SUMMARY = (
    "requests_per_s",
    "p50_ms",
    "p99_ms",
    "worker_cpu_ms_per_submit",
    "wrk_cpu_ms_per_request",
    "load_before",
)


def shape(args) -> tuple:
    """Return (workers, seconds, connections) of a rate run."""
    return args.workers, args.seconds, args.connections


def main() -> int:
    """Run the load test and print its figures; exit 1 when an acknowledged answer is lost."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=int, help="default 20, with --rate 10")
    parser.add_argument("--workers", type=int, help="default: as deployed (gunicorn_conf.py)")
    parser.add_argument("--per-client-max", type=int, default=5000)
    parser.add_argument("--no-wrk", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the temporary instance")
    rate = parser.add_argument_group("submission rate (wrk only, fresh server per run)")
    rate.add_argument("--rate", action="store_true", help="measure final submits with wrk")
    rate.add_argument("--rounds", type=int, default=3)
    rate.add_argument("--connections", type=int, default=16)
    rate.add_argument("--baseline", help="another checkout with its own .venv, e.g. main's")
    rate.add_argument("--peer", help="the peer's virtual environment (bench/peer/README.md)")
    rate.add_argument("--strace", action="store_true", help="then count syscalls per submit")
    args = parser.parse_args()
    if args.rate:
        if not shutil.which("wrk"):
            parser.error("wrk is not installed (apt-get install wrk)")
        args.seconds = args.seconds or 10
        return submit_rate(args)
    args.seconds = args.seconds or 20
    folder = Path(tempfile.mkdtemp(prefix="papi-load-"))
    env, token, secret = loadlib.make_instance(folder / "instance")
    port = loadlib.free_port()
    log = open(folder / "server.log", "wb")  # noqa: SIM115 - closed below
    server = loadlib.start_server(env, port, args.workers, log)
    try:
        workers = args.workers or DEPLOYED
        print(f"gunicorn {workers} workers, {args.clients} clients, {args.seconds} s")
        merged = run_clients(port, token, args.clients, args.seconds, args.per_client_max)
        report(merged)
        if not args.no_wrk:
            print("wrk: one question page GET")
            print(wrk_page(port, token))
            print("wrk: final-page submissions (each a distinct new response)")
            print(wrk_submit(port, token, secret, folder))
    finally:
        loadlib.stop_server(server)
        log.close()
    if not args.no_wrk:
        print("(rows stored by the wrk submit run are counted in 'stored' below)")
    ids = loadlib.response_ids(merged["acked"], secret, token)
    check = loadlib.verify(folder / "instance" / "papi-pulse.sqlite3", ids)
    print(json.dumps({k: (v if not isinstance(v, list) else len(v)) for k, v in check.items()}))
    if not args.keep:
        shutil.rmtree(folder)
    ok = not check["missing"] and not check["duplicated"] and check["integrity"] == "ok"
    print("exactly once: OK" if ok else "exactly once: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
