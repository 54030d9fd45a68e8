"""What each export column holds, for the formats that keep types (xlsx, sav, dta).

A ``Variable`` is one column: its name, its kind and its label in Vietnamese and English.
Kinds:
- ``text``: always text, even when it looks like a number (ward ``00004``, option code ``1``);
- ``number``: numbers; a cell that is a plain decimal string (a scale point ``"3"``) becomes a
  number, any other text (a special code such as ``refused``) stays text;
- ``datetime``: an ISO 8601 timestamp (stored in UTC) becomes a date and time in UTC;
- ``date``: an ISO 8601 date becomes a date.

The labels are data, like the questionnaire's wording: a file carries both languages at once
whatever the interface language, so they sit here side by side rather than in gettext.
Items take their labels from the questionnaire (wording, option labels).
"""

from __future__ import annotations

from dataclasses import dataclass

from survey import estimation as estimates
from survey import exports
from survey.questionnaire import Questionnaire
from survey.questionnaire.model import Item

KINDS = ("text", "number", "datetime", "date")
# Item types whose answers are numbers (scale points and counts); the others are codes or text.
NUMERIC_TYPES = frozenset({"likert5", "rating10", "integer", "decimal"})


@dataclass(frozen=True)
class Variable:
    """One column of an export: name, kind, labels, and the item it comes from (if any)."""

    name: str
    kind: str
    label_vi: str
    label_en: str
    item: Item | None = None

    def label(self, lang: str = "vi") -> str:
        """Return the label in lang (vi or en), the other language when that one is empty."""
        if lang == "en":
            return self.label_en or self.label_vi
        return self.label_vi or self.label_en


BASE = {
    "response_id": ("text", "Mã phiếu trả lời", "Response ID"),
    "questionnaire_id": ("text", "Mã bảng hỏi", "Questionnaire ID"),
    "questionnaire_version": ("number", "Phiên bản bảng hỏi", "Questionnaire version"),
    "point_id": ("number", "Mã điểm khảo sát", "Collection point ID"),
    "ward_code": ("text", "Mã phường, xã", "Ward or commune code"),
    "province_code": ("text", "Mã tỉnh, thành phố", "Province code"),
    "submitted_at": ("datetime", "Lúc gửi phiếu (giờ UTC)", "Submitted at (UTC)"),
    "started_at": ("datetime", "Lúc bắt đầu trả lời (giờ UTC)", "Started at (UTC)"),
    "modules_shown": ("text", "Các phần câu hỏi đã hỏi", "Modules shown"),
    "duration_seconds": ("number", "Thời gian trả lời (giây)", "Time taken to answer (seconds)"),
    "flags": ("text", "Dấu hiệu cần xem lại", "Quality flags"),
    "review_status": ("text", "Kết quả xem xét", "Review status"),
    "source": ("text", "Nguồn phiếu", "Source of the response"),
    "locale": ("text", "Ngôn ngữ khi trả lời", "Language of the questionnaire"),
    "mode": (
        "text",
        "Cách trả lời (web: trên điện thoại, paper: trên phiếu giấy)",
        "How it was answered (web: on a phone, paper: on a paper form)",
    ),
}

CODEBOOK = {
    "item_id": ("text", "Mã câu hỏi", "Question ID"),
    "type": ("text", "Loại câu hỏi", "Question type"),
    "wording_vi": ("text", "Câu hỏi (tiếng Việt)", "Question (Vietnamese)"),
    "wording_en": ("text", "Câu hỏi (tiếng Anh)", "Question (English)"),
    "option_code": ("text", "Mã lựa chọn", "Option code"),
    "option_label_vi": ("text", "Lựa chọn (tiếng Việt)", "Option (Vietnamese)"),
    "option_label_en": ("text", "Lựa chọn (tiếng Anh)", "Option (English)"),
    "special": ("text", "Mã đặc biệt (không biết, từ chối)", "Special code (don't know, refused)"),
    "score": ("number", "Điểm của lựa chọn", "Score of the option"),
    "dimension": ("text", "Trục nội dung", "Dimension"),
    "subdimension": ("text", "Nội dung thành phần", "Sub-dimension"),
    "indicator": ("text", "Chỉ tiêu", "Indicator"),
    "direction": ("text", "Chiều tốt lên", "Direction of better"),
    "role": ("text", "Vai trò của câu hỏi", "Role of the question"),
    "weighting_variable": ("text", "Biến dùng để gia quyền", "Weighting variable"),
    "skip_condition": ("text", "Điều kiện hỏi", "Asked when"),
    "eligibility": ("text", "Ai được tính", "Who is counted"),
    "dont_know_rule": ("text", "Cách tính câu trả lời không biết", "How don't know is counted"),
    "module": ("text", "Phần câu hỏi", "Module"),
    "page": ("text", "Trang", "Page"),
    "required": ("text", "Bắt buộc trả lời", "Required"),
    "min": ("number", "Giá trị nhỏ nhất", "Smallest value"),
    "max": ("number", "Giá trị lớn nhất", "Largest value"),
    "anchors": ("text", "Hai đầu thang điểm", "Ends of the scale"),
    "unit_vi": ("text", "Đơn vị (tiếng Việt)", "Unit (Vietnamese)"),
    "unit_en": ("text", "Đơn vị (tiếng Anh)", "Unit (English)"),
}

ESTIMATES = {
    "questionnaire_id": ("text", "Mã bảng hỏi", "Questionnaire ID"),
    "questionnaire_version": ("number", "Phiên bản bảng hỏi", "Questionnaire version"),
    "period": ("text", "Kỳ", "Period"),
    "period_start": ("date", "Ngày đầu kỳ", "First day of the period"),
    "period_end": ("date", "Ngày cuối kỳ", "Last day of the period"),
    "unit_type": ("text", "Loại đơn vị", "Unit type"),
    "unit_code": ("text", "Mã đơn vị", "Unit code"),
    "province_code": ("text", "Mã tỉnh, thành phố", "Province code"),
    "level": ("text", "Cấp chỉ tiêu", "Level of the figure"),
    "key": ("text", "Mã chỉ tiêu", "Figure ID"),
    "option": ("text", "Lựa chọn", "Option"),
    "statistic": ("text", "Loại số liệu", "Statistic"),
    "scale_low": ("number", "Đầu thấp của thang", "Low end of the scale"),
    "scale_high": ("number", "Đầu cao của thang", "High end of the scale"),
    "n": ("number", "Số phiếu", "Responses"),
    "n_item": ("number", "Số phiếu trả lời câu này", "Responses to this figure"),
    "n_eff": ("number", "Cỡ mẫu hiệu dụng", "Effective sample size"),
    "estimate": ("number", "Ước lượng", "Estimate"),
    "se": ("number", "Sai số chuẩn", "Standard error"),
    "ci_lower": ("number", "Cận dưới khoảng tin cậy 95%", "95% interval, lower"),
    "ci_upper": ("number", "Cận trên khoảng tin cậy 95%", "95% interval, upper"),
    "interval_method": ("text", "Cách tính khoảng tin cậy", "Interval method"),
    "flag": ("text", "Ghi chú độ tin cậy", "Reliability flag"),
    "shown": ("number", "Được công bố (1 = có)", "Shown (1 = yes)"),
    "weighted": ("number", "Có gia quyền (1 = có)", "Weighted (1 = yes)"),
    "margin_set": ("number", "Bộ số dân dùng để gia quyền", "Margin set used for weighting"),
    "weighting_note": ("text", "Ghi chú gia quyền", "Weighting note"),
    "unit_kish_n": ("number", "Cỡ mẫu Kish của đơn vị", "Kish sample size of the unit"),
    "max_weight_ratio": ("number", "Tỉ số trọng số lớn nhất", "Largest weight ratio"),
    "coverage": (
        "number",
        "Tỉ lệ dân số ở các phường, xã có số liệu",
        "Share of the area's population in wards with data",
    ),
    "wards_with_data": ("number", "Số phường, xã có số liệu", "Wards with data"),
    "baseline_year": ("number", "Năm của điểm PAPI chính thức", "Year of the official PAPI score"),
    "baseline": ("number", "Điểm PAPI chính thức", "Official PAPI score"),
    "smoothed": ("number", "Ước lượng làm trơn", "Smoothed estimate"),
    "smoothed_lower": ("number", "Cận dưới của ước lượng làm trơn", "Smoothed, lower"),
    "smoothed_upper": ("number", "Cận trên của ước lượng làm trơn", "Smoothed, upper"),
    "smoothing": ("text", "Cách làm trơn", "Smoothing method"),
    "change": ("number", "Thay đổi so với kỳ trước", "Change from the previous period"),
    "change_se": ("number", "Sai số chuẩn của thay đổi", "Standard error of the change"),
    "change_lower": ("number", "Cận dưới của thay đổi", "Change, lower"),
    "change_upper": ("number", "Cận trên của thay đổi", "Change, upper"),
    "change_p": ("number", "Giá trị p của thay đổi", "p-value of the change"),
    "change_p_bh": ("number", "Giá trị p đã hiệu chỉnh (BH)", "p-value adjusted (BH)"),
    "changed": ("number", "Có thay đổi rõ (1 = có)", "Changed (1 = yes)"),
    "include_flagged": (
        "number",
        "Có tính phiếu bị đánh dấu (1 = có)",
        "Flagged counted (1 = yes)",
    ),  # noqa: E501
}


def _table(columns, described: dict) -> list[Variable]:
    """Return the variables of the named columns from a {name: (kind, vi, en)} table."""
    return [Variable(name, *described[name]) for name in columns]


def response_variables(questionnaire: Questionnaire) -> list[Variable]:
    """Return the variables of the responses export of a questionnaire version, in order."""
    found = _table(exports.BASE_COLUMNS, BASE)
    for item in questionnaire.items.values():
        kind = "number" if item.type in NUMERIC_TYPES else "text"
        found.append(Variable(item.id, kind, item.text_vi, item.text_en, item))
    return found


def codebook_variables() -> list[Variable]:
    """Return the variables of the codebook export."""
    return _table(exports.CODEBOOK_COLUMNS, CODEBOOK)


def estimate_variables() -> list[Variable]:
    """Return the variables of the estimates export."""
    return _table(estimates.COLUMNS, ESTIMATES)
