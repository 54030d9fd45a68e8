"""QR codes: what a phone decodes is exactly the point's URL, robustly printed."""

import io
import re
import xml.etree.ElementTree as ET

import pytest
import zxingcpp
from PIL import Image, ImageDraw

from survey import points, qr

TOKEN = "ABCDEFGHJKMNPQ"
BASES = [
    "https://khaosat.example.vn",
    "http://127.0.0.1:5000",
    # A long host and a path under which the app is served: the path keeps its case.
    "https://khaosat-chi-so-papi.ubnd.thanhphohochiminh.gov.vn/Dich-Vu-Cong/khao-sat-y-kien",
]


def decode(image: Image.Image) -> list:
    """Return what zxing-cpp finds in an image."""
    return zxingcpp.read_barcodes(image.convert("L"))


def from_png(data: bytes) -> Image.Image:
    """Open PNG bytes as an image."""
    return Image.open(io.BytesIO(data))


@pytest.mark.parametrize("base", BASES)
def test_png_decodes_to_exactly_the_point_url(base):
    url = qr.survey_url(base, TOKEN)
    found = decode(from_png(qr.png(url)))
    assert [code.text for code in found] == [url]
    assert found[0].format == zxingcpp.BarcodeFormat.QRCode
    assert found[0].ec_level in ("Q", "H")


def test_url_is_upper_case_except_a_base_path():
    assert qr.survey_url("https://KhaoSat.example.vn", "abcdefghjkmnpq") == (
        "HTTPS://KHAOSAT.EXAMPLE.VN/S/ABCDEFGHJKMNPQ"
    )
    assert qr.survey_url("https://x.vn/Papi", TOKEN) == "HTTPS://X.VN/Papi/S/" + TOKEN
    assert qr.survey_url("https://x.vn", TOKEN, upper_path=False) == "HTTPS://X.VN/s/" + TOKEN


def test_upper_case_url_makes_a_smaller_code_than_lower_case():
    upper = qr.survey_url(BASES[0], TOKEN)
    lower = f"{BASES[0]}/s/{TOKEN}"
    assert qr.make_code(upper).version < qr.make_code(lower).version


def test_long_base_url_still_fits_and_decodes():
    url = qr.survey_url(BASES[2], TOKEN)
    code = qr.make_code(url)
    assert code.version <= 10
    assert [c.text for c in decode(from_png(qr.png(url, scale=6)))] == [url]


@pytest.mark.parametrize("level", [0, 1])  # qrcode's ERROR_CORRECT_M and _L
def test_error_correction_below_q_is_refused(level):
    with pytest.raises(ValueError):
        qr.make_code("HTTPS://X.VN/S/" + TOKEN, level)


def test_png_has_a_four_module_quiet_zone():
    scale = 5
    image = from_png(qr.png(qr.survey_url(BASES[0], TOKEN), scale=scale)).convert("L")
    side = image.width
    margin = qr.QUIET_ZONE * scale
    pixels = image.load()
    border = [
        pixels[x, y]
        for x in range(side)
        for y in range(side)
        if min(x, y) < margin or max(x, y) >= side - margin
    ]
    assert set(border) == {255}
    # The finder pattern's dark corner starts right after the quiet zone.
    assert pixels[margin, margin] == 0
    assert pixels[margin - 1, margin - 1] == 255


def test_png_is_one_bit_grayscale():
    data = qr.png(qr.survey_url(BASES[0], TOKEN))
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[24:26] == b"\x01\x00"  # bit depth 1, colour type 0 (grayscale)


def svg_matrix(svg: str) -> list[list[bool]]:
    """Rebuild the module matrix from the SVG's single path of horizontal runs."""
    root = ET.fromstring(svg)
    ns = {"svg": "http://www.w3.org/2000/svg"}
    n = int(root.get("viewBox").split()[2])
    paths = root.findall("svg:path", ns)
    assert len(paths) == 1
    modules = [[False] * n for _ in range(n)]
    for x, y, run in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", paths[0].get("d")):
        for i in range(int(run)):
            modules[int(y)][int(x) + i] = True
    return modules


def test_svg_is_one_path_that_draws_the_code_and_decodes():
    url = qr.survey_url(BASES[0], TOKEN)
    svg = qr.svg(url, title=url)
    modules = svg_matrix(svg)
    assert modules == [list(row) for row in qr.matrix(url)]
    scale = 8
    image = Image.new("L", (len(modules) * scale,) * 2, 255)
    draw = ImageDraw.Draw(image)
    for y, row in enumerate(modules):
        for x, dark in enumerate(row):
            if dark:
                draw.rectangle(
                    [x * scale, y * scale, (x + 1) * scale - 1, (y + 1) * scale - 1], fill=0
                )
    assert [c.text for c in decode(image)] == [url]
    assert len(svg) < 4000


def test_typed_url_groups_the_token_and_the_app_accepts_it():
    typed = qr.typed_url("https://KhaoSat.example.vn", TOKEN)
    assert typed == "khaosat.example.vn/s/ABCD-EFGH-JKMN-PQ"
    assert qr.typed_url("http://127.0.0.1:5000", TOKEN).startswith("http://127.0.0.1:5000/s/")
    grouped = typed.rsplit("/", 1)[1]
    assert points.normalise_token(grouped) == TOKEN
    assert points.normalise_token(grouped.lower().replace("-", " ")) == TOKEN
    assert points.normalise_token("ABCD-EFGH-JKMN-P") is None
