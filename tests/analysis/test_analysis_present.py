"""The estimates page's presentation helpers: flags in words, labels, the chart geometry."""

import ast
from pathlib import Path

import pytest
from flask_babel import force_locale

from survey import papi_names
from survey.analysis import present
from survey.estimation import COLUMNS
from survey.questionnaire import DIMENSIONS, catalogue

ROOT = Path(__file__).resolve().parents[2]
# The functions that decide a reliability flag (survey/stats/suppression.py and the engine).
FLAG_SOURCES = {
    "survey/stats/suppression.py": ("cell_flag", "proportion_flag", "mean_flag"),
    "survey/estimation/method.py": ("flag_of",),
    "survey/estimation/report.py": ("incomplete_flag",),
}


def engine_flags() -> set[str]:
    """Return every string a flag-deciding function can return, read from its source."""
    found = set()
    for path, names in FLAG_SOURCES.items():
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if isinstance(func, ast.FunctionDef) and func.name in names:
                for node in ast.walk(func):
                    if isinstance(node, ast.Return) and node.value is not None:
                        found |= {
                            c.value
                            for c in ast.walk(node.value)
                            if isinstance(c, ast.Constant) and isinstance(c.value, str)
                        }
    return found


def row(**values) -> dict:
    """Return an estimate row with blanks, overridden by values."""
    base = dict.fromkeys(COLUMNS, "")
    base.update(n=50, n_item=50, n_eff=40.0, flag="ok", shown=1, scale_low=0, scale_high=1)
    base.update(values)
    return base


def test_every_engine_flag_has_words_and_a_rule(app):
    """Each flag the engine can produce has words and a legend rule, in both languages."""
    flags = engine_flags()
    assert {"ok", "no_variance", "suppressed_relative_width", "hidden_small_cell"} <= flags
    assert flags == set(present.FLAG_WORDS)
    with app.test_request_context():
        for locale in ("vi", "en"):
            with force_locale(locale):
                rules = present.flag_rules()
                assert [flag for flag, _, _ in rules] == list(present.FLAG_WORDS)
                assert all(word and rule and "%(" not in rule for _, word, rule in rules)
        with force_locale("vi"):
            words = {flag: word for flag, word, _ in present.flag_rules()}
        assert all(words[f] != str(present.FLAG_WORDS[f]._args[0]) for f in words)


def test_every_dimension_and_subdimension_has_names():
    """The name table covers PAPI's eight dimensions and every sub-dimension in vi and en."""
    papi_names.check_complete()
    for dim, subs in DIMENSIONS.items():
        assert papi_names.dimension_name(dim, "vi") != papi_names.dimension_name(dim, "en")
        for sub in subs:
            assert papi_names.subdimension_name(sub, "vi")
    assert papi_names.dimension_name("d8", "vi") == "Quản trị điện tử"


@pytest.mark.parametrize(
    ("lang", "labels"),
    [("vi", ["Nam", "Nữ", "Không muốn trả lời"]), ("en", ["Male", "Female", "Prefer not to say"])],
)
def test_item_lines_use_option_labels_in_option_order(app, lang, labels):
    """Option shares come in the questionnaire's order, labelled in the language."""
    item = catalogue.get("papi-pulse-core", 1).items["sex"]
    rows = [
        row(level="item", key="sex", option=code, statistic="share")
        for code in ("refused", "nu", "nam")
    ]
    with app.test_request_context(), force_locale(lang):
        lines = present.item_lines(item, rows, lang)
    got = [line.label for line in lines]
    assert got == labels
    assert all(line.percent for line in lines)


def test_suppressed_line_hides_estimate_difference_and_change(app):
    """A suppressed estimate has no number, difference or change, but keeps n and baseline."""
    line = present.Line(
        "D1",
        "PAPI scale",
        row(
            estimate=5.0, ci_lower=4.0, ci_upper=6.0, flag="suppressed_n_eff", shown=0,
            baseline=4.5, baseline_year=2024, change=0.3, change_p_bh=0.01, changed=0,
        ),
    )  # fmt: skip
    assert line.estimate is None and line.interval is None and line.difference is None
    assert line.change is None and line.n == 50 and line.baseline == (4.5, 2024)
    shown = present.Line("D1", "x", dict(line.row, flag="ok", shown=1, changed=1))
    assert shown.difference == pytest.approx(0.5) and shown.change["changed"]


def test_chart_geometry_places_dots_whiskers_and_baselines():
    """Estimates sit on the 1-10 scale; a hidden estimate has no dot but keeps its baseline."""
    lines = [
        present.Line("A", "x", row(estimate=1.0, ci_lower=1.0, ci_upper=2.0, baseline=10.0)),
        present.Line("B", "x", row(estimate=5.5, ci_lower=5.0, ci_upper=6.0, flag="x", shown=0,
                                   baseline=5.5)),
    ]  # fmt: skip
    geometry = present.chart(lines)
    first, second = geometry["rows"]
    assert first["x"] == geometry["left"] and first["baseline"] == geometry["right"]
    assert first["lower"] <= first["x"] <= first["upper"]
    assert second["x"] is None and second["lower"] is None
    assert second["baseline"] == pytest.approx((geometry["left"] + geometry["right"]) / 2, abs=1)
    assert [t["value"] for t in geometry["ticks"]] == list(range(1, 11))
    assert second["y"] > first["y"] and geometry["height"] > second["y"]


def test_hidden_reason_never_overprints_the_baseline_diamond():
    """A hidden estimate's reason sits below the official score's diamond, wherever that is."""
    for baseline in (1.0, 1.5, 3.0, 5.5):
        lines = [
            present.Line("D1", "x", row(estimate=5.0, ci_lower=4.0, ci_upper=6.0,
                                        flag="suppressed_n_eff", shown=0, baseline=baseline)),
        ]  # fmt: skip
        (only,) = present.chart(lines)["rows"]
        text_top = only["note_y"] - 13 * 0.75  # the cap height of 13px text above its baseline
        assert text_top > only["y"] + present.DIAMOND
        assert only["note_y"] < only["y"] + present.ROW_HEIGHT / 2  # still inside its own row
