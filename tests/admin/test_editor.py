"""The admin editor's live preview and drag-and-drop image upload."""

import io

import pytest
from django.test import Client
from PIL import Image

from tests.factories import UserFactory
from tests.images import picture_bytes, upload

PREVIEW, UPLOAD = "/editor/preview/", "/editor/upload/"
TRANSLATION_PREVIEW = "/admin/procedures/proceduretranslation/live-preview/es/"  # a translation's text box's
ENDPOINTS = [PREVIEW, UPLOAD, TRANSLATION_PREVIEW]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_the_public_cannot_use_the_editor_endpoints(client, db, url):
    response = client.post(url, {"content": "hi", "image": upload()})
    assert response.status_code == 403
    assert "Log in to the admin again" in response.content.decode()


@pytest.mark.parametrize("url", ENDPOINTS)
def test_staff_without_editing_rights_cannot_use_them_either(client, db, url):
    client.force_login(UserFactory(is_staff=True))
    assert client.post(url, {"content": "hi"}).status_code == 403


@pytest.mark.parametrize("url", ENDPOINTS)
def test_the_editor_endpoints_only_take_posts(editor_client, url):
    assert editor_client.get(url).status_code == 405


@pytest.mark.parametrize("url", ENDPOINTS)
def test_the_editor_endpoints_need_the_csrf_token(editor, url):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert client.post(url, {"content": "hi"}).status_code == 403


def test_preview_renders_markdown(editor_client):
    response = editor_client.post(PREVIEW, {"content": "Hello **patients**"})
    assert response.status_code == 200
    assert response.content.decode().startswith("<p>Hello <strong>patients</strong></p>")


@pytest.mark.parametrize("url", [PREVIEW, TRANSLATION_PREVIEW])
@pytest.mark.parametrize(
    "content, message",
    [
        ("a" * 20_001, "the most one box takes is 20,000"),
        ("[" * 501, "more than 500 square brackets"),
        ("1. " * 1000, "nested too deeply"),
        ("* 1. " * 600, "nested too deeply"),
    ],
)
def test_preview_of_text_too_long_or_too_tangled_gets_a_400_message(editor_client, url, content, message):
    response = editor_client.post(url, {"content": content})
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.parametrize("url", [PREVIEW, TRANSLATION_PREVIEW])
def test_preview_without_content_gets_a_400(editor_client, url):
    assert editor_client.post(url, {}).status_code == 400


def test_upload_stores_a_re_encoded_copy_under_a_new_name(editor_client, media_in_tmp):
    original = picture_bytes(300, 200, "JPEG", exif=b"Exif\x00\x00secret-location")
    response = editor_client.post(UPLOAD, {"image": upload("holiday.jpg", original, "image/jpeg")})
    assert response.status_code == 200
    code = response.json()["image_code"]
    assert code.startswith("![Describe this picture") and "holiday" not in code
    url = code[code.index("(") + 1 : -1]
    assert url.startswith("/media/images/") and url.endswith(".jpg")
    stored = media_in_tmp / url.removeprefix("/media/")
    assert b"secret-location" not in stored.read_bytes()
    with Image.open(stored) as picture:
        assert picture.size == (300, 200)


def test_an_uploaded_picture_is_served(editor_client, client, media_in_tmp):
    code = editor_client.post(UPLOAD, {"image": upload()}).json()["image_code"]
    url = code[code.index("(") + 1 : -1]
    response = Client().get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"


def test_animated_gif_becomes_a_still_png(editor_client):
    frames = [Image.new("RGB", (20, 20), colour) for colour in ("red", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    response = editor_client.post(UPLOAD, {"image": upload("moving.gif", buffer.getvalue(), "image/gif")})
    assert response.json()["image_code"].endswith(".png)")


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("notes.txt", b"just some text", "not a picture we can use"),
        ("evil.png", b"<?php system($_GET['c']); ?>", "not a picture we can use"),
        ("evil.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "not a picture we can use"),
        ("broken.png", picture_bytes()[:80], "not a picture we can use"),
        ("empty.png", b"", "This file is empty"),
        ("bomb.png", picture_bytes(10000, 10000), "too large to use"),
        ("scan.tiff", picture_bytes(format="TIFF"), "not a picture we can use"),
        ("page.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", "not a picture we can use"),
    ],
)
def test_bad_uploads_get_a_clear_400_message(editor_client, media_in_tmp, name, content, message):
    response = editor_client.post(UPLOAD, {"image": upload(name, content)})
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not (media_in_tmp / "images").exists() or not any((media_in_tmp / "images").iterdir())


def test_oversized_files_are_refused_before_they_are_opened(editor_client, settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 1000
    response = editor_client.post(UPLOAD, {"image": upload("big.png", picture_bytes(400, 400) + b"\0" * 2000)})
    assert response.status_code == 400
    assert "larger than the 1000\xa0bytes limit" in response.json()["error"]


def test_upload_without_a_file_gets_a_400(editor_client):
    response = editor_client.post(UPLOAD, {"something": "else"})
    assert response.status_code == 400
    assert "No picture arrived" in response.json()["error"]


def test_a_malformed_upload_request_gets_a_400(editor_client):
    response = editor_client.generic(
        "POST",
        UPLOAD,
        b'--xx\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\nabc',
        content_type="multipart/form-data; boundary=xx",
    )
    assert 400 <= response.status_code < 500
