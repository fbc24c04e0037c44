"""Picture files for upload tests, made on the spot."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def picture_bytes(width=40, height=30, format="PNG", **save_options):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (20, 120, 140)).save(buffer, format=format, **save_options)
    return buffer.getvalue()


def upload(name="photo.png", content=None, content_type="image/png"):
    return SimpleUploadedFile(name, picture_bytes() if content is None else content, content_type=content_type)
