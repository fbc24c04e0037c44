"""Uploaded images: only real raster images, within limits, re-encoded under new names.

Re-encoding with Pillow drops whatever else the file carried (metadata, location
data, appended scripts), so what we store is only the picture.
"""

import io
import uuid
import warnings

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat

# Format read -> (format written, file extension).
ACCEPTED_FORMATS = {
    "JPEG": ("JPEG", "jpg"),
    "PNG": ("PNG", "png"),
    "WEBP": ("WEBP", "webp"),
    "GIF": ("PNG", "png"),  # first frame only: no animation on patient pages
}
NOT_AN_IMAGE = "This file is not a picture we can use. Upload a JPEG, PNG, WebP or GIF image."
TOO_MANY_PIXELS = "It is too large to use: make it smaller (at most 40 million pixels, e.g. 8000 × 5000)."


def clean_uploaded_image(upload) -> ContentFile:
    """Check an uploaded file and return it re-encoded, under a new random name.

    Raises ValidationError with a message an editor can act on.
    """
    if not upload.size:
        raise ValidationError("This file is empty. Choose the picture again.", code="empty")
    if upload.size > settings.IMAGE_UPLOAD_MAX_BYTES:
        raise ValidationError(
            f"This picture is larger than the {filesizeformat(settings.IMAGE_UPLOAD_MAX_BYTES)} limit "
            f"({upload.size:,} bytes). Save it smaller and try again.",
            code="too_large",
        )
    from PIL import Image, UnidentifiedImageError  # noqa: PLC0415 (only editors upload: web workers serving pages need no Pillow)

    upload.seek(0)
    try:
        picture, out_format, extension = _opened(upload)
    except Image.DecompressionBombError as error:
        raise ValidationError(TOO_MANY_PIXELS, code="too_many_pixels") from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from error

    buffer = io.BytesIO()
    options = {"JPEG": {"quality": 85, "optimize": True}, "PNG": {"optimize": True}, "WEBP": {"quality": 85}}
    picture.save(buffer, format=out_format, **options[out_format])
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")


def _opened(upload):
    from PIL import Image  # noqa: PLC0415 (see clean_uploaded_image)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own pixel limit is checked below
        with Image.open(upload, formats=list(ACCEPTED_FORMATS)) as image:
            width, height = image.size
            if width * height > settings.IMAGE_UPLOAD_MAX_PIXELS:
                raise ValidationError(f"This picture is {width} × {height} pixels. {TOO_MANY_PIXELS}", code="too_many_pixels")
            out_format, extension = ACCEPTED_FORMATS[image.format]
            image.load()
            return _prepared(image, out_format), out_format, extension


def _prepared(image, out_format):
    """Upright, in a mode the output format supports, no wider than IMAGE_MAX_WIDTH."""
    from PIL import Image, ImageOps  # noqa: PLC0415 (see clean_uploaded_image)

    image = ImageOps.exif_transpose(image)
    if out_format == "JPEG":
        image = image.convert("RGB")
    elif image.mode not in {"RGB", "RGBA", "L", "LA"}:
        image = image.convert("RGBA")
    if image.width > settings.IMAGE_MAX_WIDTH:
        height = round(image.height * settings.IMAGE_MAX_WIDTH / image.width)
        image = image.resize((settings.IMAGE_MAX_WIDTH, max(height, 1)), Image.Resampling.LANCZOS)
    return image


class RasterImageField(forms.FileField):
    """The admin's image fields: same checks and re-encoding as the editor's uploads."""

    widget = forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"})

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is None:
            return None
        return clean_uploaded_image(upload)
