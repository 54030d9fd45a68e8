"""The sub-dimension names are PAPI's own, so a province reads the names of its workbook."""

import pytest

from survey import papi_names
from survey.questionnaire import DIMENSIONS


@pytest.mark.parametrize(
    ("sub", "name"),
    [
        ("1.1", "Tri thức công dân"),
        ("1.3", "Chất lượng bầu cử"),
        ("1.4", "Đóng góp tự nguyện"),
        ("2.2", "Công khai danh sách hộ nghèo"),
        ("2.3", "Công khai thu, chi ngân sách cấp xã/phường"),
        ("3.3", "Tiếp cận dịch vụ tư pháp"),
        ("4.4", "Quyết tâm chống tham nhũng"),
        ("5.1", "Dịch vụ chứng thực, xác nhận"),
        ("6.1", "Y tế công lập"),
        ("7.2", "Chất lượng không khí"),
    ],
)
def test_official_vietnamese_names(sub, name):
    """1.3 is "Chất lượng bầu cử" (not about village heads only) and 2.3 is PAPI's wording."""
    assert papi_names.subdimension_name(sub, "vi") == name


def test_every_sub_dimension_has_a_distinct_name():
    """All 28 sub-dimensions are named, each differently, in both languages."""
    subs = [s for group in DIMENSIONS.values() for s in group]
    assert len(subs) == 28
    for lang in ("vi", "en"):
        names = [papi_names.subdimension_name(s, lang) for s in subs]
        assert len(set(names)) == 28
