"""Scoring metadata: parse and check it, and turn one answer into a score in [0, 1]."""

from __future__ import annotations

from ._fields import Table, is_int, is_number
from .conditions import Scope, parse_condition
from .model import DIMENSIONS, Item, PapiIndicator, Scoring

SCORING_KEYS = {
    "dimension", "subdimension", "indicator", "direction", "score", "anchors", "dont_know",
    "eligibility", "share_of", "place_based", "papi", "exclude",
}  # fmt: skip
PAPI_KEYS = {"id", "name_vi", "source"}
DIRECTIONS = ("higher_better", "lower_better")
DONT_KNOW_RULES = ("exclude", "as_zero")
CHOICE_TYPES = ("yes_no", "single", "multiple")
# The scale's own ends: likert (v-1)/4 and rating v/10, as docs/METHODOLOGY.md says.
SCALE_ANCHORS = {"likert5": (1, 5), "rating10": (0, 10)}


def parse_scoring(raw: object, item: Item, scope: Scope) -> Scoring | None:
    """Return the item's Scoring, or None after reporting every problem with it."""
    report = scope.report
    before = len(report.errors)
    if not isinstance(raw, dict):
        report.add(item.id, "'scoring' must be a table")
        return None
    t = Table(raw, report, item.id)
    t.check_keys(SCORING_KEYS)
    if item.type == "text":
        t.error("text questions cannot be scored")
        return None
    if item.type == "decimal":
        t.error(
            "decimal questions cannot be scored: an indicator needs answer codes or a whole-number"
            " range; ask an integer question, or leave the decimal unscored (it is still exported)"
        )
        return None
    dimension, subdimension = _dimension(t)
    indicator = t.ident("indicator")
    direction = t.get("direction", str, True, "")
    if direction and direction not in DIRECTIONS:
        t.error(f"scoring direction '{direction}' must be one of {', '.join(DIRECTIONS)}")
    score = _score_map(t, item)
    anchors = _anchors(t, item)
    dont_know = t.get("dont_know", str, False, "exclude")
    if dont_know not in DONT_KNOW_RULES:
        t.error(f"scoring dont_know '{dont_know}' must be one of {', '.join(DONT_KNOW_RULES)}")
    elif dont_know == "as_zero" and "dont_know" not in [o.code for o in item.special]:
        t.error("scoring dont_know = 'as_zero' but the item does not offer special 'dont_know'")
    eligibility = None
    if "eligibility" in raw:
        scope.field = "scoring.eligibility"
        eligibility = parse_condition(raw["eligibility"], scope)
        scope.field = "show_if"
    exclude = _exclude(t, item)
    share_of = _share_of(t, item)
    place_based = t.flag("place_based", False)
    papi = _papi(t, subdimension)
    if len(report.errors) > before:
        return None
    return Scoring(
        dimension,
        subdimension,
        indicator,
        direction,
        score,
        anchors,
        dont_know,
        eligibility,
        share_of,
        bool(place_based),
        papi,
        exclude,
    )


def _exclude(t: Table, item: Item) -> tuple[str, ...]:
    """Return the checked options left out of the denominator ("đang chờ", "không áp dụng")."""
    raw = t.get("exclude", list, False, [])
    if raw and item.type not in ("yes_no", "single"):
        t.error(f"'exclude' is only for yes_no and single items, not {item.type}")
        return ()
    codes = [o.code for o in item.options]
    for code in raw:
        if code not in codes:
            t.error(f"exclude has code {code!r} which is not an option of this item")
    return tuple(code for code in raw if code in codes)


def _share_of(t: Table, item: Item) -> tuple[str, ...] | None:
    """Return the checked scale points that score 1 (the others 0), if given."""
    raw = t.get("share_of", list, False, None)
    if raw is None:
        return None
    if item.type not in SCALE_ANCHORS:
        t.error(f"'share_of' is only for likert5 and rating10, not {item.type}")
        return None
    codes = [o.code for o in item.options]
    if not raw or any(code not in codes for code in raw) or len(set(raw)) != len(raw):
        t.error(f"share_of must list distinct points of the scale ({', '.join(codes)})")
        return None
    if "anchors" in t.raw:
        t.error("give anchors or share_of, not both")
    return tuple(raw)


def _papi(t: Table, subdimension: str) -> PapiIndicator | None:
    """Return the PAPI indicator the item measures: {id, name_vi, source}, if given."""
    raw = t.get("papi", dict, False, None)
    if raw is None:
        return None
    for key in raw:
        if key not in PAPI_KEYS:
            t.error(f"papi: unknown field '{key}'")
    values = {}
    for key in sorted(PAPI_KEYS):
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            t.error(f"papi: missing field '{key}' (the PAPI indicator's {key.replace('_', ' ')})")
        values[key] = value if isinstance(value, str) else ""
    if values["id"] and subdimension and not values["id"].startswith(subdimension + "."):
        t.error(f"papi: indicator {values['id']!r} is not in sub-dimension {subdimension}")
    return PapiIndicator(values["id"], values["name_vi"], values["source"])


def _dimension(t: Table) -> tuple[str, str]:
    """Return the checked dimension and sub-dimension."""
    dimension = t.get("dimension", str, True, "")
    if dimension and dimension not in DIMENSIONS:
        t.error(f"unknown dimension '{dimension}' (expected d1 to d8)")
    subdimension = t.get("subdimension", str, True, "")
    known = {sub for subs in DIMENSIONS.values() for sub in subs}
    if subdimension and subdimension not in known:
        t.error(f"unknown subdimension '{subdimension}'")
    elif subdimension and dimension in DIMENSIONS and subdimension not in DIMENSIONS[dimension]:
        t.error(f"subdimension '{subdimension}' does not belong to dimension '{dimension}'")
    return dimension, subdimension


def _score_map(t: Table, item: Item) -> dict[str, float] | None:
    """Return the checked code -> score map of a choice item."""
    if item.type not in CHOICE_TYPES:
        if "score" in t.raw:
            t.error(f"'score' is only for yes_no, single and multiple, not {item.type}")
        return None
    score = t.get("score", dict, True, None)
    if score is None:
        return None
    codes = [o.code for o in item.options]
    for code, value in score.items():
        if code not in codes:
            t.error(f"score map has code '{code}' which is not an option of this item")
        elif not is_number(value) or not 0 <= value <= 1:
            t.error(f"score for '{code}' is {value!r}, outside [0, 1]")
    excluded = t.raw.get("exclude") if isinstance(t.raw.get("exclude"), list) else []
    for code in codes:
        if code not in score and code not in excluded:
            t.error(f"score map gives no score for option '{code}' (or list it in exclude)")
    return {code: float(value) for code, value in score.items() if is_number(value)}


def _anchors(t: Table, item: Item) -> tuple[float, float] | None:
    """Return the checked anchors of a numeric item (the scale's ends by default)."""
    if item.type in CHOICE_TYPES:
        if "anchors" in t.raw:
            t.error(f"'anchors' is not used by {item.type} items: give a score map")
        return None
    default = SCALE_ANCHORS.get(item.type)
    raw = t.get("anchors", list, default is None, None)
    if raw is None:
        if default is None:
            return None
        return default
    if len(raw) != 2 or not all(is_number(v) for v in raw) or not raw[0] < raw[1]:
        t.error(f"anchors must be two numbers [low, high] with low < high, not {raw!r}")
        return None
    if default and not default[0] <= raw[0] < raw[1] <= default[1]:
        t.error(f"anchors {raw!r} lie outside the {item.type} scale {list(default)}")
    return (raw[0], raw[1])


def normalise(item: Item, value: object) -> float | None:
    """Return the answer's oriented score in [0, 1], or None when it is left out."""
    scoring = item.scoring
    if scoring is None or value is None or value == "" or value == []:
        return None
    if isinstance(value, list) and len(value) == 1 and value[0] in ("dont_know", "refused"):
        value = value[0]
    if value == "refused":
        return None
    if value == "dont_know":
        return 0.0 if scoring.dont_know == "as_zero" else None
    x = _raw_score(item, value)
    if x is None:
        return None
    return x if scoring.direction == "higher_better" else 1.0 - x


def _raw_score(item: Item, value: object) -> float | None:
    """Return the answer's score in [0, 1] before the direction is applied."""
    scoring = item.scoring
    if scoring.share_of is not None:
        if str(value) not in [o.code for o in item.options]:
            return None
        return 1.0 if str(value) in scoring.share_of else 0.0
    if item.type == "multiple":
        codes = value if isinstance(value, list) else [value]
        return min(1.0, sum(scoring.score.get(code, 0.0) for code in codes))
    if item.type in CHOICE_TYPES:
        if str(value) in scoring.exclude:
            return None
        return scoring.score.get(str(value))
    if is_int(value) or (
        isinstance(value, str) and value.isascii() and value.lstrip("-").isdigit()
    ):
        low, high = scoring.anchors
        return min(1.0, max(0.0, (int(value) - low) / (high - low)))
    return None
