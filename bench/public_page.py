"""Load on the public results page (from its rendered copy) vs the analysts' estimates page.

    .venv/bin/python bench/public_page.py [--seconds 10] [--workers 2] [--responses 600]

Starts gunicorn on a fresh temporary instance with the demo point and made-up responses,
publishes the demo province's last finished quarter, then runs wrk (16 connections) on the
ward's public page (from the rendered copy, then revalidated with its ETag, answered 304) and
on the analysts' page of the same ward and quarter (signed in as an analyst). Prints
requests/s and latency of each. Needs Debian's wrk (apt-get install wrk).
"""

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import loadlib  # noqa: E402


def prepare(folder: Path, responses: int) -> tuple[dict, str, str, str]:
    """Make the instance, publish the last finished quarter; return env, ward, quarter, cookie."""
    env, _token, _secret = loadlib.make_instance(folder)
    subprocess.run(
        [str(Path(loadlib.PYTHON).parent / "papi-pulse"), "demo", "--responses", str(responses)],
        env=env,
        cwd=loadlib.ROOT,
        check=True,
        capture_output=True,
    )
    import os

    os.environ["PAPI_PULSE_INSTANCE"] = str(folder)
    from survey import accounts, create_app, periods, publishing
    from survey.webdb import open_db

    app = create_app()
    db = open_db(app)
    try:
        point = db.execute(
            "SELECT p.ward_code, w.province_code FROM points p JOIN wards w ON w.code = p.ward_code"
        ).fetchone()
        quarter = periods.previous(periods.quarter_of(datetime.now(periods.LOCAL_TZ).date()))
        publishing.publish(db, None, point[1], quarter.label)
        user = accounts.create_user(db, "bench.analyst", "long enough password 1", "analyst")
    finally:
        db.close()
    with app.test_request_context():
        serializer = app.session_interface.get_signing_serializer(app)
        cookie = serializer.dumps(
            {
                "user_id": user["id"],
                "version": accounts.session_version(user),
                "login_at": time.time(),
            }
        )
    return env, point[0], quarter.label, f"session={cookie}"


def wrk(url: str, seconds: int, headers: dict) -> str:
    """Run wrk with 16 connections on url, sending headers; return its summary."""
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    return subprocess.run(  # noqa: S603 - fixed command, local URL
        [*command, url], capture_output=True, text=True, check=True
    ).stdout


def main() -> None:
    """Parse arguments, start the server, measure both pages, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--responses", type=int, default=600)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    with tempfile.TemporaryDirectory() as tmp:
        env, ward, quarter, cookie = prepare(Path(tmp) / "instance", args.responses)
        port = loadlib.free_port()
        server = loadlib.start_server(env, port, workers=args.workers)
        try:
            base = f"http://127.0.0.1:{port}"
            public = f"{base}/ket-qua/{ward}"
            with urllib.request.urlopen(public) as response:  # noqa: S310 - local URL
                etag = response.headers["ETag"]
            pages = {
                "public ward page": (public, {}),
                # A browser (or proxy) that kept the page asks again with its ETag: 304.
                "public ward page, revalidated (304)": (public, {"If-None-Match": etag}),
                "analysts' page": (
                    f"{base}/staff/analysis/?unit=ward&code={ward}&period={quarter}",
                    {"Cookie": cookie},
                ),
            }
            for name, (url, headers) in pages.items():
                check = urllib.request.Request(url, headers={"Cookie": headers.get("Cookie", "")})
                with urllib.request.urlopen(check) as response:  # noqa: S310 - local URL
                    assert response.status == 200 and "/staff/login" not in response.url, url
                out = wrk(url, args.seconds, headers)
                rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
                print(f"{name}: {rate.group(1) if rate else '?'} requests/s ({url})")
                print(out)
        finally:
            loadlib.stop_server(server)


if __name__ == "__main__":
    main()
