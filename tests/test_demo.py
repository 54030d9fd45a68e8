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
