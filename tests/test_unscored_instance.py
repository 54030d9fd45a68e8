"""An instance questionnaire the scoring model refuses still stores every answer."""

import tomllib
from importlib import resources

import pytest

from survey import responses
from survey.estimation import stored
from survey.estimation.spec import spec_for
from survey.questionnaire import QuestionnaireError
from survey.questionnaire.loader import from_raw


@pytest.fixture
def unscored():
    """Return core v2 renamed, without the one item of sub-dimension 3.3: it loads, unscored."""
    text = resources.files("survey").joinpath("questionnaire/files/papi-pulse-core-v2.toml")
    raw = tomllib.loads(text.read_text(encoding="utf-8"))
    raw["id"] = "pilot-hue"
    for module in raw["modules"]:
        for page in module["pages"]:
            page["items"] = [i for i in page["items"] if i["id"] != "trusts_court_fair"]
        module["pages"] = [page for page in module["pages"] if page["items"]]
    questionnaire = from_raw(raw, "pilot-hue.toml")
    with pytest.raises(QuestionnaireError):
        spec_for(questionnaire)
    return questionnaire


def test_a_final_submit_on_it_is_stored_without_a_decoded_form(db, world, unscored, monkeypatch):
    monkeypatch.setattr(responses, "get", lambda qid, version: unscored)
    record = {
        "id": "f" * 32, "point_id": world["point"]["id"], "ward_code": world["point"]["ward_code"],
        "province_code": "79", "questionnaire_id": unscored.id,
        "questionnaire_version": unscored.version, "modules": [], "answers": {"lives_here": "yes"},
        "locale": "vi", "started_at": "2026-03-01T01:00:00+00:00",
    }  # fmt: skip
    prepared = responses.prepare(record)
    assert prepared.row["decoded"] is None and prepared.row["decoded_key"] is None
    assert responses.store_response(db, prepared)
    row = db.execute("SELECT answers, decoded FROM responses WHERE id = ?", ["f" * 32]).fetchone()
    assert row == ('{"lives_here": "yes"}', None)
    assert stored.spec_of(unscored) is None
