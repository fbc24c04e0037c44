import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from procedures.models import Author, Procedure


def test_createeditor_makes_a_login_that_can_edit_pages_but_not_users(db, monkeypatch, client):
    monkeypatch.setenv("EDITOR_PASSWORD", "a-good-long-passphrase")
    out = io.StringIO()
    call_command("createeditor", "robin", "--email", "robin@example.org", stdout=out)
    assert "Editor 'robin' created" in out.getvalue()
    user = authenticate(username="robin", password="a-good-long-passphrase")
    assert user.is_staff and not user.is_superuser
    assert user.has_perm("procedures.change_procedure") and not user.has_perm("auth.add_user")
    client.force_login(user)
    assert client.get("/admin/procedures/procedure/add/").status_code == 200


def test_createeditor_refuses_a_weak_password_and_a_taken_name(db, monkeypatch):
    monkeypatch.setenv("EDITOR_PASSWORD", "123")
    with pytest.raises(CommandError, match="too short"):
        call_command("createeditor", "robin")
    monkeypatch.setenv("EDITOR_PASSWORD", "a-good-long-passphrase")
    call_command("createeditor", "robin", stdout=io.StringIO())
    with pytest.raises(CommandError, match="already a user called 'robin'"):
        call_command("createeditor", "robin")


def test_rendermarkdown_brings_every_page_up_to_date(shipped_content):
    Procedure.objects.update(risks_html="stale")
    Author.objects.update(bio_html="stale")
    call_command("rendermarkdown", stdout=io.StringIO())
    assert "<li>" in Procedure.objects.get(slug="mesotherapy").risks_html
    assert all(author.bio_html.startswith("<p>") for author in Author.objects.all())


def test_createeditor_makes_a_medical_reviewer_linked_to_their_author_profile(shipped_content, monkeypatch):
    monkeypatch.setenv("EDITOR_PASSWORD", "a-good-long-passphrase")
    out = io.StringIO()
    call_command("createeditor", "anand", "--reviewer-only", "--author", "anand-lakhkar", "--email", "a@example.org", stdout=out)
    assert "Medical reviewer 'anand' created" in out.getvalue()
    user = authenticate(username="anand", password="a-good-long-passphrase")
    assert user.has_perm("procedures.record_review") and not user.has_perm("procedures.change_procedure")
    assert Author.objects.get(slug="anand-lakhkar").user == user


def test_createeditor_refuses_an_unknown_author(db, monkeypatch):
    monkeypatch.setenv("EDITOR_PASSWORD", "a-good-long-passphrase")
    with pytest.raises(CommandError, match="No author 'nobody'"):
        call_command("createeditor", "x", "--reviewer", "--author", "nobody")
