"""The masking tables: how Vietnamese people write personal data, and text that must stay.

docs/PRIVACY.md lists the same formats; tests/test_privacy.py and tests/test_importer.py
run them on the citizen path and the import path alike.
"""

from survey.privacy import ACCOUNT, EMAIL, ID_NUMBER, PHONE

# (as written in a comment, what is stored)
MASKED = [
    # Mobiles, 10 digits, any grouping and separator.
    ("0912 - 345 - 678", PHONE),
    ("0912,345,678", PHONE),
    ("0912.345.678", PHONE),
    ("0912 345 678", PHONE),
    ("091 234 5678", PHONE),
    ("09.12.34.56.78", PHONE),
    ("0912 . 345 . 678", PHONE),
    ("0912 – 345 – 678", PHONE),  # en dash
    ("0912—345—678", PHONE),  # em dash
    ("0912\u00a0345\u00a0678", PHONE),  # no-break spaces
    ("０９１２３４５６７８", PHONE),  # full-width digits
    ("(0912) 345 678", PHONE),
    # With the country code.
    ("(+84) 912 345 678", PHONE),
    ("84912345678", PHONE),
    ("84 912 345 678", PHONE),
    ("+84-912-345-678", PHONE),
    ("+84 (0) 912 345 678", PHONE),
    ("0084 912 345 678", PHONE),
    # Landlines, 11 digits since 2017.
    ("028 3829 1234", PHONE),
    ("(028) 38291234", PHONE),
    ("024.3825.1234", PHONE),
    ("+84 24 3825 1234", PHONE),
    # A number after a word that says it is a phone, even without its leading 0.
    ("zalo 912 345 678", f"zalo {PHONE}"),
    ("SĐT:0912345678", f"SĐT:{PHONE}"),
    # E-mail, also written around spam filters.
    ("name @ gmail.com", EMAIL),
    ("ten.ho@gmail.com", EMAIL),
    ("TEN@GMAIL.COM", EMAIL),
    ("ten[at]gmail.com", EMAIL),
    ("ten(at)gmail.com", EMAIL),
    ("ten [at] gmail [dot] com", EMAIL),
    ("ten a còng gmail chấm com", EMAIL),
    ("ten at yahoo dot com", EMAIL),
    ("ten@gmail", EMAIL),
    ("ten＠gmail.com", EMAIL),  # full-width at sign
    ("can.bo@hochiminhcity.gov.vn", EMAIL),
    # Identity numbers: CCCD (12 digits, province code first), old CMND (9), by keyword.
    ("001 099 012 345", ID_NUMBER),
    ("079203004567", ID_NUMBER),
    ("0792 0300 4567", ID_NUMBER),
    ("079.203.004.567", ID_NUMBER),
    ("123456789", ID_NUMBER),
    ("CMND 123 456 789", f"CMND {ID_NUMBER}"),
    ("căn cước công dân số 001-099-012-345", f"căn cước công dân số {ID_NUMBER}"),
    ("hộ chiếu C1234567", f"hộ chiếu {ID_NUMBER}"),
    ("mã số thuế 0312345678", f"mã số thuế {ID_NUMBER}"),
    ("số BHXH 7912345678", f"số BHXH {ID_NUMBER}"),
    # Bank accounts, by keyword.
    ("số tài khoản 0123456789012", f"số tài khoản {ACCOUNT}"),
    ("STK 1903 4567 8901 23", f"STK {ACCOUNT}"),
]

# Ordinary text and numbers that must be stored as typed.
KEPT = [
    "500.000 đồng",
    "mất 2 triệu",
    "năm 2024",
    "ngày 12/3/2025",
    "8h30",
    "mã phường 26743",
    "3 lần",
    "45%",
    "giảm 12,5%",
    "số 12 ngõ 34",
    "ngày 09.03.2024 10 giờ",
    "ngày 03.05.2024 09 giờ",
    "ngày 12-03-2025 lúc 08:30",
    "lúc 7g30 sáng",
    "Chờ từ 7:30 đến 11:30",
    "các ngày 03, 05, 07, 09, 11",
    "tốn 1.500.000.000",
    "thu 500.000.000",
    "1.234.567.890 đồng",
    "dân số 1.234.567 người",
    "mã hồ sơ 000.00.27.H29-240312-0001",
    "tổng đài 1900 1234",
    "liên hệ 115",
    "gọi 3 lần không ai nghe",
    "điện thoại 2 triệu",
    "2019 - 2020 - 2021",
    "0,912345678",
    "12345678901",
    "km 0+900",
    "@cmd",
]
