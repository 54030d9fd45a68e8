"""The PDF writer: valid file, one poster per page, the URL inside, a QR that decodes."""

import io
import re
import unicodedata
import zlib

import pytest
import zxingcpp
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw
from pypdf import PdfReader

from survey import posters, qr

BASE = "https://khaosat.example.vn"
VI = posters.Texts(
    "vi",
    "Hãy cho chúng tôi biết phường phục vụ bạn thế nào",
    "Quét mã QR bằng camera điện thoại để trả lời.",
    "Chỉ mất khoảng 5 phút.",
    "Khảo sát ẩn danh.",
    "Không quét được mã? Gõ địa chỉ này vào trình duyệt:",
    "Khảo sát do Ủy ban nhân dân phường thực hiện.",
)
EN = posters.Texts(
    "en",
    "Tell us how your ward serves you",
    "Scan the QR code to answer.",
    "It takes about 5 minutes.",
    "It is anonymous.",
    "Cannot scan? Type:",
    "This survey is run by the Ward People's Committee.",
)


def make_poster(token="ABCDEFGHJKMNPQ", texts=(VI,), ward="Phường Bến Thành"):
    """Return a poster for a made-up point."""
    url = qr.survey_url(BASE, token)
    return posters.Poster(
        "Bộ phận Một cửa",
        ward,
        "Thành phố Hồ Chí Minh",
        url,
        qr.typed_url(BASE, token),
        qr.matrix(url),
        texts,
    )


def page_streams(data: bytes) -> list[bytes]:
    """Return the decompressed page content streams of an fpdf2 PDF."""
    found = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            text = zlib.decompress(raw)
        except zlib.error:
            continue
        if b" re f" in text:
            found.append(text)
    return found


def rasterise_rects(stream: bytes, width_pt: float, height_pt: float, zoom=3) -> Image.Image:
    """Paint the stream's black filled rectangles (the QR) onto a white page image."""
    image = Image.new("L", (int(width_pt * zoom), int(height_pt * zoom)), 255)
    draw = ImageDraw.Draw(image)
    gray = 0.0
    for line in stream.decode("latin-1").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1] == "g":
            gray = float(parts[0])
        elif len(parts) == 6 and parts[4:] == ["re", "f"]:
            x, y, w, h = (float(p) for p in parts[:4])
            top, bottom = sorted((height_pt - y, height_pt - y - h))
            draw.rectangle(
                [x * zoom, top * zoom, (x + w) * zoom, bottom * zoom], fill=int(gray * 255)
            )
    return image


def test_fonts_cover_every_vietnamese_letter():
    letters = set("đĐ")
    for vowel in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY":
        for tone in ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"):
            letters.add(unicodedata.normalize("NFC", vowel + tone))
    assert len(letters) == 2 + 24 * 6
    for path in posters.font_paths().values():
        cmap = TTFont(path).getBestCmap()
        assert [ch for ch in letters if ord(ch) not in cmap] == []


@pytest.mark.parametrize("size", list(posters.SIZES))
@pytest.mark.parametrize("texts", [(VI,), (VI, EN)], ids=["vi", "bilingual"])
def test_pdf_is_valid_with_one_page_per_poster_and_the_url(size, texts):
    items = [make_poster("ABCDEFGHJKMNPQ", texts), make_poster("0123456789ABCD", texts)]
    data = posters.pdf(items, posters.SIZES[size], "Posters")
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type /Page\b(?!s)", data)) == 2
    uris = re.findall(rb"/URI \(([^)]*)\)", data)
    assert {uri.decode() for uri in uris} == {item.url for item in items}
    assert b"DejaVuSans" in data and b"/FontFile2" in data
    assert len(data) < 80_000


def test_pdf_qr_decodes_to_the_point_url():
    poster = make_poster()
    data = posters.pdf([poster], posters.SIZES["a4"])
    (stream,) = page_streams(data)
    image = rasterise_rects(stream, 595.28, 841.89)
    assert [c.text for c in zxingcpp.read_barcodes(image)] == [poster.url]


def test_pdf_qr_fills_most_of_an_a4_width():
    data = posters.pdf([make_poster()], posters.SIZES["a4"])
    (stream,) = page_streams(data)
    white = [
        line.split() for line in stream.decode("latin-1").splitlines() if line.endswith("re f")
    ][0]
    assert float(white[2]) / 595.28 > 0.6  # the QR's white square, quiet zone included


def test_unknown_size_is_a_key_error():
    assert posters.get_size(None).key == "a4"
    with pytest.raises(KeyError):
        posters.get_size("a3")


# The longest public address we think plausible, and a token of the widest letters.
LONG_BASE = "https://papi-pulse.sonoivu.tphcm.gov.vn"
WIDE_TOKEN = "WMWMWMWMWMWMWM"


@pytest.mark.parametrize("size", list(posters.SIZES))
@pytest.mark.parametrize("texts", [(VI,), (VI, EN)], ids=["vi", "bilingual"])
def test_the_typed_address_is_printed_whole_on_one_line(size, texts):
    url = qr.survey_url(LONG_BASE, WIDE_TOKEN)
    typed = qr.typed_url(LONG_BASE, WIDE_TOKEN)
    assert typed == "papi-pulse.sonoivu.tphcm.gov.vn/s/WMWM-WMWM-WMWM-WM"
    poster = posters.Poster(
        "Bộ phận Một cửa", "Xã An Lục Long", "Tây Ninh", url, typed, qr.matrix(url), texts
    )
    reader = PdfReader(io.BytesIO(posters.pdf([poster], posters.SIZES[size])))
    lines = [line.strip() for line in reader.pages[0].extract_text().splitlines()]
    # A tent prints it on both faces; each time whole, alone on its line.
    assert lines.count(typed) == (2 if size == "tent" else 1), lines
    assert not [line for line in lines if "WMWM" in line and line != typed], lines


@pytest.mark.parametrize("size", list(posters.SIZES))
def test_results_line_fits_on_the_same_page(size):
    """The "Xem kết quả" line keeps one poster per page on every size."""
    from dataclasses import replace

    results = replace(VI, results="Xem kết quả: khaosat.example.vn/ket-qua/26743")
    items = [
        make_poster("ABCDEFGHJKMNPQ", (results, EN)),
        make_poster("0123456789ABCD", (results,)),
    ]
    data = posters.pdf(items, posters.SIZES[size], "Posters")
    assert len(re.findall(rb"/Type /Page\b(?!s)", data)) == 2
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "ket-qua/26743" in text.replace("\n", "")
