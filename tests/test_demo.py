"""``papi-pulse demo``: a demo point with its URL, and optional made-up responses to analyse."""

import json

from survey.questionnaire import latest
from survey.questionnaire.logic import is_shown


def test_demo_prints_a_working_survey_url(runner, client):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    url = next(line.split()[-1] for line in result.output.splitlines() if "/s/" in line)
    assert url.startswith("https://khaosat.example.vn/s/")
    assert client.get(url.split("example.vn")[1]).status_code == 200
    again = runner.invoke(args=["demo"])
    assert url in again.output  # idempotent: the same point


def test_demo_responses_top_up_follow_skip_logic_and_get_margins(runner, db):
    assert runner.invoke(args=["demo", "--responses", "25"]).exit_code == 0
    assert runner.invoke(args=["demo", "--responses", "25"]).exit_code == 0
    rows = list(db.query("SELECT answers, source FROM responses"))
    assert len(rows) == 25 and {row["source"] for row in rows} == {"demo"}
    questionnaire = latest("papi-pulse-core")
    for row in rows:
        answers = json.loads(row["answers"])
        assert "sex" in answers and "age_band" in answers
        for item_id in answers:
            assert is_shown(questionnaire.items[item_id], answers)
    assert db.execute("SELECT count(*) FROM margin_sets").fetchone()[0] == 1


def test_demo_rejects_a_negative_count(runner):
    result = runner.invoke(args=["demo", "--responses", "-3"])
    assert result.exit_code == 2


def test_demo_responses_are_the_current_version_and_score_every_sub_dimension(runner, db):
    """`demo --responses 300` gives v2 answers from which all 28 sub-dimensions and the
    total are estimated (v2 scores a sub-dimension only from a complete indicator set)."""
    from survey import estimation as estimates
    from survey.questionnaire import DIMENSIONS, current_questionnaire

    assert runner.invoke(args=["demo", "--responses", "300"]).exit_code == 0
    versions = {row["v"] for row in db.query("SELECT questionnaire_version v FROM responses")}
    questionnaire = current_questionnaire("papi-pulse-core")
    assert versions == {questionnaire.version} == {2}
    from datetime import date, timedelta

    today = date.today()  # the demo spreads its answers over the last six months
    period = estimates.parse_periods(f"{today - timedelta(days=190)}..{today + timedelta(days=1)}")
    rows = [
        dict(zip(estimates.COLUMNS, row, strict=True))
        for row in estimates.run(db, questionnaire, [period], ("ward",), reveal_suppressed=True)
    ]
    scored = {r["key"] for r in rows if r["level"] == "subdimension" and r["estimate"] is not None}
    assert scored == {sub for subs in DIMENSIONS.values() for sub in subs}
    total = next(r for r in rows if r["level"] == "total")
    assert total["shown"] == 1 and 10 <= total["estimate"] <= 80
