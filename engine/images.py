"""Uploaded pictures are stored re-encoded, without their metadata.

A phone photo's EXIF data says where and when it was taken and with which device; a picture
of a street corner put on an initiative's page must not tell where its maker lives. Pillow
decodes the picture and writes its pixels again: no EXIF, XMP or text chunks survive, only the
colour profile. A turned photo is turned for real first, so it still shows the right way up.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps

from engine.errors import InvalidInput
from engine.i18n import msg

#: Pillow's format name per allowed picture extension
FORMATS = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
#: larger pictures are refused rather than decoded (a small file can unpack to gigabytes)
MAX_PIXELS = 60_000_000


def _refuse() -> InvalidInput:
    return InvalidInput(
        msg("This picture cannot be read. Save it again as JPEG or PNG and try again."),
        field="data",
    )


def strip_metadata(data: bytes, extension: str) -> bytes:
    """The picture in ``data`` re-encoded in its own format, without metadata."""
    fmt = FORMATS[extension]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != fmt or image.width * image.height > MAX_PIXELS:
                    raise _refuse()
                image.load()
                upright = ImageOps.exif_transpose(image)
                options: dict[str, object] = {}
                icc = image.info.get("icc_profile")
                if icc:
                    options["icc_profile"] = icc
                if fmt == "JPEG":
                    options["quality"] = 90
                    if upright.mode not in ("RGB", "L", "CMYK"):
                        upright = upright.convert("RGB")
                elif fmt == "WEBP":
                    options["quality"] = 90
                out = io.BytesIO()
                upright.save(out, format=fmt, **options)
    except InvalidInput:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Warning):
        raise _refuse() from None
    return out.getvalue()
