"""Digits that are not ASCII (superscripts, other scripts) are refused politely, never a 500."""

import pytest

from survey import margins
from survey.questionnaire.logic import _number
from tests.factories import BEN_THANH, make_ward


@pytest.mark.parametrize("text", ["²", "٣", "１２", "1²"])
def test_margins_refuse_non_ascii_populations(db, text):
    make_ward(db, BEN_THANH)
    data = (
        f"unit_code,variable,category,population\n26743,sex,nam,{text}\n26743,sex,nu,5\n"
    ).encode()
    with pytest.raises(margins.MarginError):
        margins.parse(db, data)


@pytest.mark.parametrize("value", ["²", "٣", "-²"])
def test_skip_logic_numbers_ignore_non_ascii_digits(value):
    assert _number(value) is None


def test_point_import_keeps_a_superscript_ward_code_for_its_report():
    from survey.point_import import _ward_code

    assert _ward_code(["²"], ["ward_code"]) == "²"  # reported as an unknown ward, not a 500
    assert _ward_code(["70"], ["ward_code"]) == "00070"
