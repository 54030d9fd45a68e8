"""One answer to "which questionnaire is current", read by every page, command and export."""

import io
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from survey import create_app, csvout
from survey.config import ConfigError
from survey.questionnaire import catalogue, current_questionnaire, get, placewords
from tests import v1_fixture
from tests.factories import BEN_THANH
from tests.staff_helpers import client_as

SURVEY = Path(__file__).parent.parent / "survey"
PINNED_V2 = "papi-pulse-core:2"


@pytest.mark.parametrize(
    ("setting", "version"),
    [
        ("papi-pulse-core", catalogue.CURRENT["papi-pulse-core"]),
        ("papi-pulse-core:1", 1),
        ("papi-pulse-core:2", 2),
    ],
)
def test_the_setting_names_the_current_version(setting, version):
    """An id gets its current version; id:version pins one (a province finishing a year)."""
    assert current_questionnaire(setting) is get("papi-pulse-core", version)


@pytest.mark.parametrize("setting", ["nope", "papi-pulse-core:9", "papi-pulse-core:x", ""])
def test_a_setting_naming_nothing_is_refused(setting, tmp_path, monkeypatch):
    """The domain says KeyError; the app refuses to start, naming the versions it knows."""
    with pytest.raises(KeyError):
        current_questionnaire(setting)
    monkeypatch.setenv("PAPI_PULSE_INSTANCE", str(tmp_path / "instance"))
    with pytest.raises(ConfigError, match="papi-pulse-core:1, papi-pulse-core:2"):
        create_app({"TESTING": True, "SECRET_KEY": "k" * 40, "QUESTIONNAIRE": setting})


def test_no_module_pins_a_questionnaire_of_its_own():
    """Only the setting's default and the catalogue name the core questionnaire in code."""
    pinned = re.compile(r"""["']papi-pulse-core["']""")
    allowed = {"config.py", "questionnaire/catalogue.py", "crosswalk.py"}
    found = [
        str(path.relative_to(SURVEY))
        for path in SURVEY.rglob("*.py")
        if pinned.search(path.read_text(encoding="utf-8"))
    ]
    assert set(found) <= allowed, found


@pytest.fixture
def v2_answers(app, db, world):
    """v2 answers at the Bến Thành point in 2026-Q1, with the app's setting pinned to v2."""
    v1_fixture.stock(db, version=2, count=40, places=dict.fromkeys("abc", world["point"]))
    app.config["QUESTIONNAIRE"] = PINNED_V2
    return world


def test_the_analysis_pages_follow_the_current_version(app, v2_answers):
    """The estimates page and its CSV read the setting's version (they were pinned to v1)."""
    client = client_as(app, v2_answers, "analyst")
    query = f"unit=ward&code={BEN_THANH}&period=2026-Q1"
    page = client.get(f"/staff/analysis/?{query}")
    assert page.status_code == 200
    question = get("papi-pulse-core", 2).items["knows_committee_head"].text("en")
    text = BeautifulSoup(page.data, "html.parser").get_text()
    assert placewords.fill(question, "en") in text and "{xa}" not in text
    response = client.get(f"/staff/analysis/estimates.csv?{query}")
    rows = list(csvout.reader(io.BytesIO(response.data)))
    header, body = rows[0], rows[1:]
    assert body and {r[header.index("questionnaire_version")] for r in body} == {"2"}
    assert max(int(r[header.index("n")] or 0) for r in body) == 40


@pytest.mark.parametrize(
    "args",
    [
        ["export", "codebook"],
        ["export", "estimates", "--period", "2026-Q1", "--unit-type", "ward"],
        ["export", "responses"],
    ],
)
def test_commands_without_a_questionnaire_use_the_current_one(app, v2_answers, args, tmp_path):
    """The export commands default to the setting's version, not to a version of their own."""
    output = tmp_path / "out.csv"
    result = app.test_cli_runner().invoke(args=[*args, "-o", str(output)])
    assert result.exit_code == 0, result.output
    rows = list(csvout.reader(io.BytesIO(output.read_bytes())))
    header, body = rows[0], rows[1:]
    if "questionnaire_version" in header:
        assert body and {r[header.index("questionnaire_version")] for r in body} == {"2"}
    else:
        assert "knows_committee_head" in {r[header.index("item_id")] for r in body}


def test_the_downloads_default_to_the_current_one(app, v2_answers):
    """The codebook and responses downloads without a choice give the setting's version."""
    client = client_as(app, v2_answers, "analyst")
    codebook = client.get("/analysis/downloads/codebook.csv")
    assert codebook.status_code == 200 and b"knows_committee_head" in codebook.data
    assert "codebook-papi-pulse-core-v2.csv" in codebook.headers["Content-Disposition"]
    responses = client.get("/analysis/downloads/responses.csv")
    rows = list(csvout.reader(io.BytesIO(responses.data)))
    assert len(rows) == 41 and {r[2] for r in rows[1:]} == {"2"}


def test_questionnaire_list_marks_the_current_one(app, v2_answers):
    """`questionnaire list` stars the setting's version."""
    result = app.test_cli_runner().invoke(args=["questionnaire", "list"])
    assert "* papi-pulse-core v2" in result.output
    assert "  papi-pulse-core v1" in result.output
