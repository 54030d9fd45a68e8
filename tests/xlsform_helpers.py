"""XLSForm test helpers: build workbooks with openpyxl, and a Vietnamese flooding module."""

import openpyxl

VI, EN = "label::Tiếng Việt (vi)", "label::English (en)"
SURVEY_HEADER = ["type", "name", VI, EN, "hint::Tiếng Việt (vi)", "hint::English (en)",
                 "required", "relevant", "constraint"]  # fmt: skip
CHOICES_HEADER = ["list_name", "name", VI, EN]

FLOODING_SURVEY = [
    ["begin_group", "ngap_nha", "Ngập nước ở nơi ông/bà sống", "Flooding where you live"],
    ["note", "gioi_thieu", "Các câu sau hỏi về mùa mưa năm nay.",
     "These questions are about this year's rainy season."],
    ["select_one co_khong", "nha_bi_ngap", "Năm nay nhà ông/bà có bị ngập không?",
     "Was your home flooded this year?", "", "", "yes"],
    ["end_group"],
    ["begin_group", "muc_do_ngap", "Mức độ ngập", "How bad it was", "", "", "",
     "${nha_bi_ngap} = 'co'"],
    ["integer", "so_lan_ngap", "Năm nay nhà bị ngập mấy lần?", "How many times this year?",
     "", "", "yes", "", ". >= 1 and . <= 100"],
    ["select_multiple thiet_hai", "thiet_hai", "Ngập gây thiệt hại gì?", "What was damaged?",
     "Chọn tất cả các ý đúng.", "Choose all that apply.", "yes", "",
     "not(selected(., 'khong_co') and count-selected(.) > 1)"],
    ["end_group"],
    ["select_one ho_tro", "ho_tro_kip_thoi", "Phường hỗ trợ có kịp thời không?",
     "Did the ward help in time?", "", "", "yes", "${nha_bi_ngap} = 'co' and ${so_lan_ngap} >= 2"],
    ["text", "de_xuat", "Ông/bà đề xuất gì để bớt ngập?", "What would you suggest?", "", "", "",
     "${lives_here} = 'yes'", "string-length(.) <= 300"],
]  # fmt: skip
FLOODING_CHOICES = [
    ["co_khong", "co", "Có", "Yes"],
    ["co_khong", "khong", "Không", "No"],
    ["co_khong", "dont_know", "Không biết", "Don't know"],
    ["thiet_hai", "nha_cua", "Nhà cửa", "The house"],
    ["thiet_hai", "xe_co", "Xe cộ", "Vehicles"],
    ["thiet_hai", "do_dac", "Đồ đạc trong nhà", "Furniture"],
    ["thiet_hai", "khong_co", "Không có thiệt hại", "No damage"],
    ["ho_tro", "kip_thoi", "Kịp thời", "In time"],
    ["ho_tro", "cham", "Chậm", "Late"],
    ["ho_tro", "khong_ho_tro", "Không được hỗ trợ", "No help"],
    ["ho_tro", "refused", "Không muốn trả lời", "Prefer not to say"],
]
FLOODING_SETTINGS = [["form_title", "form_id", "version", "default_language"],
                     ["Ngập nước mùa mưa", "ngap_nuoc", "2026", "Tiếng Việt (vi)"]]  # fmt: skip


def workbook(path, survey=None, choices=None, settings=None, survey_header=None, sheets=None):
    """Write an XLSForm workbook (the flooding module unless told otherwise); return path."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    survey = FLOODING_SURVEY if survey is None else survey
    parts = sheets if sheets is not None else {
        "survey": [survey_header or SURVEY_HEADER, *survey],
        "choices": [CHOICES_HEADER, *(FLOODING_CHOICES if choices is None else choices)],
        "settings": FLOODING_SETTINGS if settings is None else settings,
    }  # fmt: skip
    for name, rows in parts.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


# A module with decimal questions: water depth in metres (two places, from the bounds), the
# flooded area in square metres (one place: "1.000" there is a thousand or one), and a follow-up.
DECIMAL_SURVEY = [
    ["begin_group", "muc_nuoc", "Mức nước ngập", "How deep the water was"],
    ["decimal", "do_sau_ngap", "Nước ngập trong nhà sâu nhất bao nhiêu mét?",
     "How deep was the water in your home at most, in metres?", "Ví dụ: 0,5 là nửa mét.",
     "For example, 0.5 is half a metre.", "yes", "", ". >= 0 and . <= 5.00"],
    ["end_group"],
    ["begin_group", "dien_tich", "Diện tích bị ngập", "The flooded area"],
    ["decimal", "dien_tich_ngap", "Diện tích nhà bị ngập khoảng bao nhiêu mét vuông?",
     "About how many square metres of your home were flooded?", "", "", "yes", "",
     ". >= 0 and . <= 5000.0"],
    ["end_group"],
    ["integer", "so_ngay_ngap", "Nước ngập trong bao nhiêu ngày?", "For how many days?", "", "",
     "yes", "${do_sau_ngap} >= 0.5", ". >= 1 and . <= 365"],
]  # fmt: skip
DECIMAL_SETTINGS = [["form_title", "form_id", "version", "default_language"],
                    ["Độ sâu ngập nước", "do_ngap", "2026", "Tiếng Việt (vi)"]]  # fmt: skip


def decimal_workbook(path):
    """Write the decimal module's XLSForm; return path."""
    return workbook(path, survey=DECIMAL_SURVEY, choices=[], settings=DECIMAL_SETTINGS)
