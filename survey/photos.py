"""Photos of ward notes: only JPEG or PNG under a size limit, decoded and re-encoded here.

A photo sent by ward staff may carry the phone's GPS position, its owner's name or a hidden
payload. It is decoded with Pillow (already installed with fpdf2), checked to be a JPEG or PNG
of sane dimensions, shrunk to fit a phone screen and written again as a fresh JPEG: nothing of
the original file but its pixels survives, metadata included.
"""

import io

from PIL import Image, ImageOps, UnidentifiedImageError

# Under the app-wide MAX_CONTENT_LENGTH (2 MB), so that the form can say why it refuses one.
MAX_BYTES = 1_500_000
MAX_PIXELS = 40_000_000  # decompression bombs: refuse images larger than a 40 MP camera's
LONGEST_SIDE = 1024  # enough for a phone screen, about 100-200 KB as JPEG
QUALITY = 80


class PhotoError(ValueError):
    """A file that is not an acceptable photo; ``code`` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def clean(data: bytes) -> bytes:
    """Return the photo re-encoded as a JPEG without metadata, or raise PhotoError."""
    if not data:
        raise PhotoError("empty")
    if len(data) > MAX_BYTES:
        raise PhotoError("too_large")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("JPEG", "PNG"):
                raise PhotoError("format")
            if image.width * image.height > MAX_PIXELS:
                raise PhotoError("too_large")
            image.load()
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise PhotoError("format") from None
    upright.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
    out = io.BytesIO()
    upright.save(out, "JPEG", quality=QUALITY, optimize=True)
    return out.getvalue()
