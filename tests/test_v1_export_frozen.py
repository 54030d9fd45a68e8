"""v1 responses load, score and export exactly as they did before v2: byte for byte."""

import pathlib

from survey import csvout, exports
from survey import estimation as estimates
from survey.questionnaire import get
from tests import v1_fixture

FOLDER = pathlib.Path(__file__).parent / "fixtures" / "v1_export"


def _exports(db) -> dict[str, bytes]:
    """Return the responses, codebook and estimates exports of the v1 fixture."""
    v1 = get("papi-pulse-core", 1)
    filters = exports.Filters(questionnaire=("papi-pulse-core", 1))
    out = {
        "responses.csv": b"".join(exports.stream(exports.export_responses(db, filters))),
        "codebook.csv": b"".join(exports.stream(exports.export_codebook(v1))),
    }
    period = estimates.parse_periods(v1_fixture.PERIOD)
    rows = estimates.run(db, v1, [period], estimates.UNIT_TYPES)
    out["estimates.csv"] = b"".join(csvout.stream(estimates.COLUMNS, rows, "plain"))
    return out


def test_v1_exports_are_byte_identical(db):
    """The frozen files were written by the v1 engine before v2 existed."""
    v1_fixture.stock(db)
    for name, data in _exports(db).items():
        assert data == (FOLDER / name).read_bytes(), name


def write_frozen(db) -> None:
    """Write the frozen files (run once, by hand, on the engine they freeze)."""
    v1_fixture.stock(db)
    FOLDER.mkdir(parents=True, exist_ok=True)
    for name, data in _exports(db).items():
        (FOLDER / name).write_bytes(data)
