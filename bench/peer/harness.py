"""Run the peer (django-survey-and-report 1.5.0, README.md here) for bench/load_test.py.

The peer lives in its own virtual environment (its package is also called ``survey``), made as
README.md says; this module only starts it on a fresh database in a temporary folder, builds
the wrk command of its one-page submit and counts its stored responses.
"""

import http.client
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = ("peerproj.py", "peerproj_wsgi.py", "peerurls.py", "seed.py")
POST_LUA = """wrk.method = "POST"
wrk.body = "{body}"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "csrftoken={cookie}"
wrk.headers["Referer"] = "http://127.0.0.1:{port}/survey/1/"
"""


def start(venv: Path, folder: Path, port: int, workers: int, log) -> subprocess.Popen:
    """Migrate and seed a fresh peer database in folder; start its gunicorn there."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        shutil.copy(HERE / name, folder / name)
    python = str(venv / "bin" / "python")
    env = {"PYTHONPATH": str(folder), "DJANGO_SETTINGS_MODULE": "peerproj", "PATH": "/usr/bin"}
    for argv in ([python, "-m", "django", "migrate", "-v0"], [python, "seed.py"]):
        subprocess.run(argv, cwd=folder, env=env, check=True, stdout=log, stderr=log)  # noqa: S603
    command = [python, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}"]
    return subprocess.Popen(  # noqa: S603 - fixed command
        [*command, "peerproj_wsgi:application"], cwd=folder, env=env, stdout=log, stderr=log
    )


def wrk_command(port: int, folder: Path, seconds: int, connections: int) -> list[str]:
    """Fetch the survey page and its CSRF cookie; return the wrk command that posts it."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/survey/1/")
    response = conn.getresponse()
    html = response.read().decode()
    cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie")).group(1)
    conn.close()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    answers = "&".join(f"question_{n}=3" for n in range(1, 31))
    body = f"csrfmiddlewaretoken={token}&{answers}&question_31=Thu+tuc+nhanh"
    script = folder / "post.lua"
    script.write_text(POST_LUA.format(body=body, cookie=cookie, port=port))
    return [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(script),
        f"http://127.0.0.1:{port}/survey/1/",
    ]


def stored(folder: Path) -> int:
    """Return the number of responses the peer has stored."""
    conn = sqlite3.connect(folder / "peer.sqlite3", timeout=30)
    try:
        return conn.execute("SELECT count(*) FROM survey_response").fetchone()[0]
    finally:
        conn.close()
