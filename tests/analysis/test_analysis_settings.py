"""The trimming cap and the prior strength an operator sets reach the analysts' pages."""

import csv
import io

import pytest

from survey import estimation as estimates
from survey.estimation import cache as estimate_cache
from tests.factories import BEN_THANH, make_margins, make_response
from tests.staff_helpers import client_as

# A sample whose free raking weights reach 2.66 x the mean (the default cap of 5 never binds).
SEXES = "mffmmmmmmmffmmmmffmmfmmmmfmffmmmfmmffmmmffmmmfmmmfmmmmmffmfm"
AGES = "010210302101311002220220010031120321002131312033322120322122"
URL = f"/staff/analysis/estimates.csv?unit=ward&code={BEN_THANH}&period=2026-Q1"


# These tests store v1 answers: the pages and exports read v1 (v2 is current).
pytestmark = pytest.mark.usefixtures("pin_v1")


@pytest.fixture
def skewed(db, world):
    """Sixty answers, two men for each woman, in a ward whose margins are half women."""
    estimate_cache.clear()
    make_margins(
        db,
        {
            BEN_THANH: {
                "sex": {"nam": 5000, "nu": 5000},
                "age_band": {"18_29": 2500, "30_44": 2500, "45_59": 2500, "60_plus": 2500},
            }
        },
    )
    with db.atomic():
        for i, (sex, age) in enumerate(zip(SEXES, AGES, strict=True)):
            answers = {
                "sex": "nu" if sex == "f" else "nam",
                "age_band": ("18_29", "30_44", "45_59", "60_plus")[int(age)],
                "lives_here": "yes" if i % 3 else "no",
            }
            at = "2026-02-01T01:00:00+00:00"
            make_response(
                db, world["point"], answers=answers, modules=[], started_at=at, submitted_at=at
            )
    yield
    estimate_cache.clear()


def unit_row(app, world, url=URL):
    """Return the first row of the ward's estimates download."""
    body = client_as(app, world, "analyst").get(url).data.decode("utf-8")
    return next(csv.DictReader(io.StringIO(body)))


@pytest.mark.parametrize("cap", [1.6, 2.0])
def test_the_trimming_cap_setting_trims_the_weights(app, world, skewed, cap):
    assert float(unit_row(app, world)["max_weight_ratio"]) > cap
    app.config["WEIGHT_TRIM_CAP"] = cap
    assert float(unit_row(app, world)["max_weight_ratio"]) == pytest.approx(cap, rel=1e-9)


@pytest.mark.parametrize("url", [URL, URL.replace("estimates.csv", "")])
def test_the_settings_reach_the_engine_from_page_and_download(app, world, monkeypatch, url):
    seen = []
    real = estimates.run

    def run(*args, **kwargs):
        seen.append((kwargs["cap"], kwargs["prior_m"]))
        return real(*args, **kwargs)

    monkeypatch.setattr(estimates, "run", run)
    estimate_cache.clear()
    app.config.update(WEIGHT_TRIM_CAP=3.0, SMOOTHING_PRIOR_N=45)
    assert client_as(app, world, "analyst").get(url).status_code == 200
    assert seen == [(3.0, 45.0)]


@pytest.mark.parametrize(
    "lang, cap, prior, texts",
    [
        ("en", None, None, ("exceed 5 times the mean weight", "worth 20 answers")),
        ("en", 2.5, 45, ("exceed 2.5 times the mean weight", "worth 45 answers")),
        ("vi", 2.5, 45, ("vượt quá 2,5 lần trọng số trung bình", "như 45 câu trả lời")),
    ],
)
def test_the_method_page_states_the_cap_and_prior_in_force(app, world, lang, cap, prior, texts):
    """An operator who changes the cap or the prior is not shown the defaults on the method page."""
    if cap is not None:
        app.config.update(WEIGHT_TRIM_CAP=cap, SMOOTHING_PRIOR_N=prior)
    client = client_as(app, world, "analyst")
    page = client.get(f"/staff/analysis/methodology?lang={lang}").get_data(as_text=True)
    for text in texts:
        assert text in page
