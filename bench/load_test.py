"""Load test: complete questionnaires through gunicorn (2 workers) on 127.0.0.1, as a browser.

    .venv/bin/python bench/load_test.py [--clients 16] [--seconds 20] [--workers 2] [--no-wrk]

Starts gunicorn on a fresh temporary instance with the demo point, runs N client processes
that each GET the welcome page, POST start with its CSRF token, then GET and POST every question
page (answering every visible item, cookies kept) until the thank-you page; 5 % double-tap the
final button. Prints submissions/s, question pages/s, p50/p99 latency per request kind, then
checks that every acknowledged submission (a 303 to /thanks) is stored exactly once. With
wrk installed it also measures 16 connections on one question page GET.
"""

import argparse
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import loadlib  # noqa: E402


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
    """Measure final-page submissions with wrk, 16 connections, each body a new respondent.

    One questionnaire is answered up to its last page; its final form is then replayed with
    drafts re-signed under fresh response ids, so every request is a real, distinct insert.
    """
    if not shutil.which("wrk"):
        return "wrk not installed (apt-get install wrk)"
    import random
    import urllib.parse
    import uuid

    from survey.citizen import draft as drafts

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
    out = subprocess.run(  # noqa: S603 - fixed command, local URL
        [
            "wrk",
            "-t2",
            "-c16",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(folder / "submit.lua"),
            "-H",
            f"Cookie: {session}",
            "-H",
            "Content-Type: application/x-www-form-urlencoded",
            f"http://127.0.0.1:{port}{action}",
        ],
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ, PAPI_BODIES=str(folder / "bodies.txt")),
    ).stdout
    return out


def main() -> int:
    """Run the load test and print its figures; exit 1 when an acknowledged answer is lost."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--per-client-max", type=int, default=5000)
    parser.add_argument("--no-wrk", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the temporary instance")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="papi-load-"))
    env, token, secret = loadlib.make_instance(folder / "instance")
    port = loadlib.free_port()
    log = open(folder / "server.log", "wb")  # noqa: SIM115 - closed below
    server = loadlib.start_server(env, port, args.workers, log)
    try:
        print(f"gunicorn {args.workers} workers, {args.clients} clients, {args.seconds} s")
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
