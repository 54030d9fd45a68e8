"""The responses export encoded by worker processes gives the single-process bytes."""

import pytest

from survey import exports
from survey.periods import parse_period
from tests.factories import BASE_ANSWERS, make_export_places, make_response, make_varied_responses


@pytest.fixture
def many(db):
    """Return the database with varied responses, a carriage return and 30 more rows."""
    places = make_export_places(db)
    make_varied_responses(db, places)
    make_response(db, places["b"], 6, answers=dict(BASE_ANSWERS, pressing_issue="a\r\nb\rc"))
    for number in range(7, 37):
        make_response(db, places["abc"[number % 3]], number)
    return db


def single(db, filters, labels, dialect):
    """Return the export as the one-process stream writes it."""
    return b"".join(exports.stream(exports.export_responses(db, filters, labels), dialect))


@pytest.mark.parametrize("dialect", ["plain", "excel"])
@pytest.mark.parametrize("labels", [None, "vi"])
@pytest.mark.parametrize(
    "filters",
    [
        exports.Filters(),
        exports.Filters(include_excluded=True),
        exports.Filters(unit=("province", "79"), period=parse_period("2026-02")),
        exports.Filters(unit=("ward", "00000")),
    ],
    ids=["default", "excluded", "province-month", "no-rows"],
)
def test_parallel_bytes_are_identical(many, monkeypatch, dialect, labels, filters):
    monkeypatch.setattr(exports, "PART_ROWIDS", 4)  # ten parts, some of them empty
    if filters.unit == ("ward", "00000"):
        code = next(many.query("SELECT code FROM wards WHERE code NOT IN"
                               " (SELECT ward_code FROM responses) LIMIT 1"))["code"]  # fmt: skip
        filters = exports.Filters(unit=("ward", code))
    expected = single(many, filters, labels, dialect)
    chunks = list(exports.stream_responses(many, filters, labels, dialect, processes=2))
    if labels is not None:  # the codes export copies stored cells in one process
        assert len(chunks) > 5  # the header, then one chunk per part: the workers did run
    assert b"".join(chunks) == expected


def test_bad_filters_fail_before_any_byte(many):
    with pytest.raises(exports.ExportError):
        exports.stream_responses(many, exports.Filters(unit=("ward", "99999")), None)


def test_the_codes_export_copies_stored_cells_in_one_process(many, monkeypatch):
    """Workers pay off where rows are decoded (labels), not where stored cells are copied."""
    monkeypatch.setattr(exports, "PART_ROWIDS", 4)
    started = []
    monkeypatch.setattr(exports, "_parallel", lambda *args: started.append(args) or iter([]))
    v1 = exports.Filters(questionnaire=("papi-pulse-core", 1))  # the version stored here
    expected = single(many, v1, None, "plain")
    assert expected.count(b"\n") > 30
    assert b"".join(exports.stream_responses(many, v1, None, "plain", processes=2)) == expected
    assert started == []
    list(exports.stream_responses(many, v1, "vi", "plain", processes=2))
    assert len(started) == 1
