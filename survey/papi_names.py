"""Official names of PAPI's eight dimensions and their sub-dimensions, in Vietnamese and English.

Names are data, like questionnaire wording (the house style): both languages side by side, picked by
the active locale. Dimension names are those of the PAPI reports (2021 onwards);
sub-dimension names are those of the PAPI reports' and provincial workbooks' sub-dimension
tables ("1.3 Chất lượng bầu cử"), word for word.
"""

from survey.locales import LOCALES
from survey.questionnaire.model import DIMENSIONS

DIMENSION_NAMES = {
    "d1": ("Tham gia của người dân ở cấp cơ sở", "Participation at local levels"),
    "d2": (
        "Công khai, minh bạch trong việc ra quyết định ở địa phương",
        "Transparency in local decision-making",
    ),
    "d3": ("Trách nhiệm giải trình với người dân", "Vertical accountability towards citizens"),
    "d4": ("Kiểm soát tham nhũng trong khu vực công", "Control of corruption in the public sector"),
    "d5": ("Thủ tục hành chính công", "Public administrative procedures"),
    "d6": ("Cung ứng dịch vụ công", "Public service delivery"),
    "d7": ("Quản trị môi trường", "Environmental governance"),
    "d8": ("Quản trị điện tử", "E-governance"),
}

SUBDIMENSION_NAMES = {
    "1.1": ("Tri thức công dân", "Civic knowledge"),
    "1.2": ("Cơ hội tham gia", "Opportunities for participation"),
    "1.3": ("Chất lượng bầu cử", "Quality of elections"),
    "1.4": ("Đóng góp tự nguyện", "Voluntary contributions"),
    "2.1": ("Tiếp cận thông tin", "Access to information"),
    "2.2": ("Công khai danh sách hộ nghèo", "Publicity of poor-household lists"),
    "2.3": (
        "Công khai thu, chi ngân sách cấp xã/phường",
        "Publicity of commune and ward budgets and spending",
    ),
    "2.4": (
        "Công khai quy hoạch, kế hoạch sử dụng đất và khung giá bồi thường",
        "Land-use plans and compensation prices",
    ),
    "3.1": (
        "Hiệu quả tương tác với các cấp chính quyền",
        "Interactions with local authorities",
    ),
    "3.2": (
        "Giải đáp khiếu nại, tố cáo, khúc mắc của người dân",
        "Responsiveness to citizens' proposals and complaints",
    ),
    "3.3": ("Tiếp cận dịch vụ tư pháp", "Access to justice services"),
    "4.1": (
        "Kiểm soát tham nhũng trong chính quyền địa phương",
        "Limits on corruption in local government",
    ),
    "4.2": (
        "Kiểm soát tham nhũng trong cung ứng dịch vụ công",
        "Limits on corruption in public service delivery",
    ),
    "4.3": ("Công bằng trong tuyển dụng vào khu vực nhà nước", "Equity in state employment"),
    "4.4": ("Quyết tâm chống tham nhũng", "Willingness to fight corruption"),
    "5.1": ("Dịch vụ chứng thực, xác nhận", "Certification and attestation services"),
    "5.3": (
        "Thủ tục cấp giấy chứng nhận quyền sử dụng đất",
        "Land-use right certificate procedures",
    ),
    "5.4": ("Thủ tục hành chính cấp xã/phường", "Commune and ward-level procedures"),
    "6.1": ("Y tế công lập", "Public health"),
    "6.2": ("Giáo dục tiểu học công lập", "Public primary education"),
    "6.3": ("Cơ sở hạ tầng căn bản", "Basic infrastructure"),
    "6.4": ("An ninh, trật tự khu dân cư", "Law and order"),
    "7.1": (
        "Tính nghiêm túc của chính quyền trong bảo vệ môi trường",
        "Seriousness in environmental protection",
    ),
    "7.2": ("Chất lượng không khí", "Air quality"),
    "7.3": ("Chất lượng nước", "Water quality"),
    "8.1": (
        "Sử dụng cổng thông tin điện tử và dịch vụ công trực tuyến",
        "Use of e-government portals and online public services",
    ),
    "8.2": ("Tiếp cận và sử dụng Internet", "Access to the internet"),
    "8.3": ("Phản hồi của chính quyền qua kênh điện tử", "E-responsiveness of authorities"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    """Return the vi or en half of a name pair."""
    if lang not in LOCALES:
        raise ValueError(f"unknown language {lang!r}; expected one of {LOCALES}")
    return pair[LOCALES.index(lang)]


def dimension_name(dimension: str, lang: str = "vi") -> str:
    """Return the official name of a dimension ("d1".."d8") in lang."""
    return _pick(DIMENSION_NAMES[dimension], lang)


def subdimension_name(sub: str, lang: str = "vi") -> str:
    """Return the name of a sub-dimension ("1.1".."8.3") in lang."""
    return _pick(SUBDIMENSION_NAMES[sub], lang)


def check_complete() -> None:
    """Raise if a dimension or sub-dimension of DIMENSIONS has no name (a test calls it)."""
    missing = [d for d in DIMENSIONS if d not in DIMENSION_NAMES] + [
        s for subs in DIMENSIONS.values() for s in subs if s not in SUBDIMENSION_NAMES
    ]
    if missing:
        raise KeyError(f"no name for {', '.join(missing)}")
