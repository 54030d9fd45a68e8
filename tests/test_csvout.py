"""CSV output: dialects, formula neutralisation, numbers, Vietnamese text, streaming."""

import csv
import io
import os
import shutil
import subprocess
import unicodedata

import pytest

from survey import csvout

FORMULAS = [
    "=1+1",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1",
    "\r=1",
    "\n=1",
    '=HYPERLINK("http://x.example","bấm")',
    "-",
    "'=already quoted",
]
NUMBERS = [-0.05, -3, 0, 7, 1.5e-05, "-0.05", "-3", "+7", "1e-05", ".5"]
VIETNAMESE = "Đường ngập nước, “rất” khó đi; Phường Bến Thành\nQuận 1"


def parse(data: bytes) -> list[list[str]]:
    """Parse CSV bytes the way an analyst's tool would."""
    return list(csvout.reader(io.BytesIO(data)))


@pytest.mark.parametrize("text", FORMULAS)
@pytest.mark.parametrize("position", [0, 1, 2])
def test_formula_cells_are_neutralised_in_every_position(text, position):
    row = ["a", "b", "c"]
    row[position] = text
    data = csvout.to_bytes(["x", "y", "z"], [row])
    cell = parse(data)[1][position]
    assert cell == "'" + text
    assert csvout.restore_text(cell) == text


def test_header_cells_are_neutralised_too():
    assert parse(csvout.to_bytes(["=bad", "ok"], []))[0] == ["'=bad", "ok"]


@pytest.mark.parametrize("number", NUMBERS)
def test_numbers_are_left_alone(number):
    data = csvout.to_bytes(["n"], [[number]])
    assert parse(data)[1] == [str(number) if not isinstance(number, float) else repr(number)]


def test_embedded_quotes_and_separators_are_quoted():
    text = 'Ông nói "xin chào", rồi đi'
    data = csvout.to_bytes(None, [[text, "=A1"]])
    assert data == '"Ông nói ""xin chào"", rồi đi",\'=A1\n'.encode()
    assert parse(data) == [[text, "'=A1"]]


@pytest.mark.parametrize("dialect", ["plain", "excel"])
def test_vietnamese_text_round_trips_byte_identical(dialect):
    decomposed = unicodedata.normalize("NFD", VIETNAMESE)
    data = csvout.to_bytes(["văn bản"], [[VIETNAMESE], [decomposed]], dialect)
    rows = parse(data)
    assert rows[1][0] == rows[2][0] == VIETNAMESE
    assert rows[1][0].encode() == unicodedata.normalize("NFC", VIETNAMESE).encode()


def test_plain_has_no_bom_and_lf_only():
    data = csvout.to_bytes(["a", "b"], [["x", 1], ["y", 2]], "plain")
    assert data == b"a,b\nx,1\ny,2\n"


def test_excel_has_bom_and_crlf():
    data = csvout.to_bytes(["a", "b"], [["x", 1], ["y", 2]], "excel")
    assert data == b"\xef\xbb\xbfa,b\r\nx,1\r\ny,2\r\n"
    assert parse(data) == [["a", "b"], ["x", "1"], ["y", "2"]]


def test_unknown_dialect_is_refused():
    with pytest.raises(ValueError, match="dialect"):
        csvout.to_bytes(["a"], [], "tsv")


def test_stream_yields_chunks_lazily():
    consumed = []

    def rows():
        for i in range(2500):
            consumed.append(i)
            yield [i, "x"]

    chunks = csvout.stream(["i", "s"], rows(), chunk_rows=1000)
    first = next(chunks)
    assert first.startswith(b"i,s\n0,x\n")
    assert len(consumed) <= 1001
    rest = b"".join(chunks)
    assert (first + rest).count(b"\n") == 2501


def test_write_to_path_and_file(tmp_path):
    path = tmp_path / "out.csv"
    size = csvout.write(path, ["a"], [["=x"]], "excel")
    assert path.read_bytes() == b"\xef\xbb\xbfa\r\n'=x\r\n"
    assert size == len(path.read_bytes())


def test_plain_csv_parses_with_the_standard_module():
    """The pure check: Python's csv module reads every cell back as written."""
    rows = [[t, n, VIETNAMESE] for t, n in zip(FORMULAS, NUMBERS, strict=True)]
    data = csvout.to_bytes(["t", "n", "v"], rows)
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert [csvout.restore_text(c) for c in parsed[1 + 3]][0] == FORMULAS[3]
    for line in parsed[1:]:
        assert line[0][0] == "'"
        assert line[2] == VIETNAMESE


def _soffice():
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None and os.environ.get("CI") == "true":
        pytest.fail("LibreOffice (Debian package libreoffice-calc) is required in CI")
    if found is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc)")
    return found


def _calc_cells(soffice: str, source, folder) -> str:
    """Return the HTML that LibreOffice Calc makes of a UTF-8 CSV (what a user would see)."""
    # Filter options: comma, double quote, UTF-8 (76), from row 1.
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{folder}/profile",
         "--infilter=CSV:44,34,76,1", "--convert-to", "html", "--outdir", str(folder),
         str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return source.with_suffix(".html").read_text(encoding="utf-8")


def test_libreoffice_shows_text_and_runs_no_formula(tmp_path):
    """Open an excel-dialect CSV in LibreOffice Calc and read back the cells it shows."""
    soffice = _soffice()
    control = tmp_path / "control.csv"
    control.write_bytes(b"x\r\n=1+41\r\n")
    assert 'sdval="42"' in _calc_cells(soffice, control, tmp_path)  # Calc would run it
    rows = [["=1+41", "Đường ngập nước", -0.05], ["@SUM(40,2)", "Phường Bến Thành", -3]]
    source = tmp_path / "exported.csv"
    csvout.write(source, ["công thức", "văn bản", "số"], rows, "excel")
    html = _calc_cells(soffice, source, tmp_path)
    assert "Đường ngập nước" in html and "Phường Bến Thành" in html and "công thức" in html
    assert "=1+41" in html and "@SUM(40,2)" in html
    assert 'sdval="42"' not in html
    assert 'sdval="-0.05"' in html and 'sdval="-3"' in html


@pytest.mark.parametrize("dialect", ["plain", "excel"])
def test_carriage_returns_inside_cells_survive(dialect):
    rows = [["dòng một\rdòng hai", 1], ["a\r\nb", 2], ["plain", 3]]
    data = csvout.to_bytes(["t", "n"], rows, dialect)
    assert parse(data)[1:] == [[r[0], str(r[1])] for r in rows]
