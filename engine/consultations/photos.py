"""A photo with an idea or a reaction: an image only (PNG, JPEG, WebP), checked by its content,
at most ``MAX_PHOTO_BYTES``, stored like attached documents (engine.storage) under a random name.
"""

from __future__ import annotations

from engine.errors import InvalidInput
from engine.i18n import msg
from engine.operations.documents import check_file
from engine.storage import Storage

#: the largest photo (a phone's photo, as sent by most phones, fits)
MAX_PHOTO_BYTES = 5 * 1024 * 1024
ALLOWED_PHOTOS = "PNG, JPEG, WebP"

#: where photos are kept: the upload folder's storage
PhotoStore = Storage


def check_photo(filename: str, data: bytes) -> tuple[str, str]:
    """The photo's extension and content type; refused unless it is a real image, small enough."""
    if len(data) > MAX_PHOTO_BYTES:
        raise InvalidInput(
            msg("A photo can be at most 5 MB. Make it smaller and try again."), field="photo"
        )
    try:
        _name, extension, kind = check_file(filename, data)
    except InvalidInput as refused:
        if refused.field == "filename":  # not a kind of file we take at all
            raise InvalidInput(
                msg("Only a photo can be added: %(kinds)s.", kinds=ALLOWED_PHOTOS), field="photo"
            ) from None
        raise InvalidInput(refused.message, field="photo") from None
    if not kind.is_image:
        raise InvalidInput(
            msg("Only a photo can be added: %(kinds)s.", kinds=ALLOWED_PHOTOS), field="photo"
        )
    return extension, kind.content_type
