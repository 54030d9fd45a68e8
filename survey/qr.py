"""QR codes of survey URLs: the payload, its module matrix, and SVG and PNG renderings.

Pure functions, no Flask. The payload is the point's full public URL in the shortest form that
still opens the survey: scheme and host are case-insensitive and tokens are upper-case
Crockford base32, so ``https://khaosat.hcmc.gov.vn/s/<token>`` can be written
``HTTPS://KHAOSAT.HCMC.GOV.VN/S/<TOKEN>``, which fits QR's alphanumeric mode (5.5 bits a
character instead of 8): usually one QR version smaller, so larger modules on the same poster.
"""

import functools
import struct
import zlib
from urllib.parse import urlsplit

import qrcode
from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_Q

# Q restores up to 25 % of damaged modules: a poster behind scratched plastic still scans.
ERROR_CORRECTION = ERROR_CORRECT_Q
# ISO/IEC 18004 asks for a light margin of 4 modules around the symbol.
QUIET_ZONE = 4
# Characters of QR's alphanumeric mode (ISO/IEC 18004, table 5).
ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
# Characters per group when a token is typed out on a poster: ABCD-EFGH-JKMN-PQ.
GROUP_SIZE = 4


def survey_url(base_url: str, token: str, *, upper_path: bool = True) -> str:
    """Return the URL a QR code encodes: upper-case scheme and host (and ``/S/`` if allowed).

    base_url is the configured BASE_URL (no trailing slash). A path inside it (an app served
    under ``/khaosat``) is case-sensitive and kept as it is. upper_path says whether the app
    also answers ``/S/<TOKEN>``; without it the ``/s/`` stays lower-case.
    """
    parts = urlsplit(base_url)
    origin = f"{parts.scheme}://{parts.netloc}".upper()
    prefix = "/S/" if upper_path else "/s/"
    return f"{origin}{parts.path}{prefix}{token.upper()}"


def group_token(token: str, size: int = GROUP_SIZE) -> str:
    """Return the token in dash-separated groups, easier to read aloud and to type."""
    return "-".join(token[i : i + size] for i in range(0, len(token), size))


def typed_url(base_url: str, token: str) -> str:
    """Return the URL printed for people who cannot scan: lower-case host, grouped token."""
    parts = urlsplit(base_url)
    host = parts.netloc.lower()
    # The scheme is left out when it is https: browsers add it, and it is shorter to type.
    shown = host if parts.scheme.lower() == "https" else f"{parts.scheme.lower()}://{host}"
    return f"{shown}{parts.path}/s/{group_token(token.upper())}"


def make_code(payload: str, error_correction: int = ERROR_CORRECTION) -> qrcode.QRCode:
    """Return the smallest QR code holding payload at the given error correction level."""
    if error_correction not in (ERROR_CORRECT_Q, ERROR_CORRECT_H):
        raise ValueError("posters need error correction Q or H")
    code = qrcode.QRCode(error_correction=error_correction, border=QUIET_ZONE)
    # optimize: split the payload into alphanumeric and byte segments where that is shorter.
    code.add_data(payload, optimize=4)
    code.make(fit=True)
    return code


@functools.lru_cache(maxsize=1024)
def matrix(payload: str) -> tuple[tuple[bool, ...], ...]:
    """Return the code's modules, quiet zone included, as rows of booleans (True = dark).

    Cached: choosing the mask takes qrcode about 30 ms a code, and a province reprints the
    same few hundred codes (1,024 codes of 37 x 37 modules take about 12 MB).
    """
    return tuple(tuple(row) for row in make_code(payload).get_matrix())


def svg_path(modules: list[list[bool]]) -> str:
    """Return one SVG path drawing every dark module, one subpath per horizontal run."""
    parts = []
    for y, row in enumerate(modules):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            start = x
            while x < len(row) and row[x]:
                x += 1
            parts.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
    return "".join(parts)


def svg(payload: str, size: str | None = None, title: str | None = None) -> str:
    """Return a standalone SVG of payload's QR code, scalable, one <path> for all modules.

    qrcode's own SvgPathImage writes one subpath per module; merging runs makes the path
    about three times shorter, which matters when a province prints 168 posters in one page.
    """
    modules = matrix(payload)
    n = len(modules)
    dims = f' width="{size}" height="{size}"' if size else ""
    label = f"<title>{_xml_escape(title)}</title>" if title else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}"{dims} role="img"'
        f' shape-rendering="crispEdges">{label}<rect width="{n}" height="{n}" fill="#fff"/>'
        f'<path fill="#000" d="{svg_path(modules)}"/></svg>'
    )


def png(payload: str, scale: int = 10) -> bytes:
    """Return a black-and-white PNG of payload's QR code, scale pixels a module.

    Written with zlib (1 bit a pixel) so that the app needs neither Pillow nor pypng.
    """
    if scale < 1:
        raise ValueError("scale must be at least 1")
    modules = matrix(payload)
    side = len(modules) * scale
    raw = bytearray()
    for row in modules:
        bits = "".join(("0" if dark else "1") * scale for dark in row)
        bits += "0" * (-len(bits) % 8)
        line = b"\x00" + int(bits, 2).to_bytes(len(bits) // 8, "big")
        raw += line * scale
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(raw), 9))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    """Return one PNG chunk: length, type, data, CRC."""
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def _xml_escape(text: str) -> str:
    """Escape text for an XML element."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
