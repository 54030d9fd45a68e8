"""The app works from a wheel installed outside the checkout, with everything it needs."""

import configparser
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def listed_packages() -> set[str]:
    """Return the packages setup.cfg lists."""
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    return {line.strip() for line in config["options"]["packages"].splitlines() if line.strip()}


def test_every_subpackage_is_listed_in_setup_cfg():
    found = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "survey").rglob("__init__.py")
        if "__pycache__" not in path.parts
    }
    assert found - listed_packages() == set()


@pytest.mark.slow
def test_wheel_installed_outside_the_checkout_serves_the_survey(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        cwd=tmp_path,
    )
    (wheel,) = wheels.glob("papi_pulse-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True, cwd=tmp_path
    )
    instance = tmp_path / "instance"
    env = {**os.environ, "PAPI_PULSE_INSTANCE": str(instance), "PYTHONPATH": ""}
    demo = subprocess.run(
        [str(env_dir / "bin" / "papi-pulse"), "demo"],
        check=True,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    url = next(line.split()[-1] for line in demo.stdout.splitlines() if "/s/" in line)
    path = url[url.index("/s/") :]
    script = f"""
import survey, survey.paths
from survey import create_app
assert "site-packages" in str(survey.paths.TEMPLATES_DIR), survey.paths.TEMPLATES_DIR
client = create_app().test_client()
page = client.get({path!r}, headers={{"Accept-Language": "vi"}})
assert page.status_code == 200, page.status_code
assert "Bắt đầu" in page.text and "<style" in page.text, page.text[:500]
import re
token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
start = client.post({path!r} + "/start", data={{"csrf_token": token}})
assert start.status_code == 303 and "/p/" in start.headers["Location"], start.headers
question = client.get(start.headers["Location"], headers={{"Accept-Language": "vi"}})
assert question.status_code == 200 and "Trang 1/" in question.text, question.text[-1500:]
assert client.get("/static/staff.css").status_code == 200
print("ok")
"""
    result = subprocess.run(
        [str(python), "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.stdout.strip().endswith("ok"), result.stderr[-3000:]
