import getpass
import os

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from procedures.models import Author
from procedures.roles import editors_group, medical_reviewers_group


class Command(BaseCommand):
    help = (
        "Create a staff login: an editor (writes pages, cannot manage users) and/or, with --reviewer, "
        "a medical reviewer (records medical reviews). Asks for the password, or reads EDITOR_PASSWORD."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="", help="Where review reminders go (reviewers).")
        parser.add_argument("--reviewer", action="store_true", help="Also a medical reviewer.")
        parser.add_argument("--reviewer-only", action="store_true", help="A medical reviewer who does not edit pages.")
        parser.add_argument("--author", metavar="SLUG", help="Link this login to an author (their reviews and reminders).")

    def handle(self, username, email, reviewer, reviewer_only, author, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"There is already a user called {username!r}. Choose another name.")
        profile = None
        if author:
            profile = Author.objects.filter(slug=author).first()
            if profile is None:
                raise CommandError(f"No author {author!r}. Authors are listed in the admin and in content/authors/.")
        password = os.environ.get("EDITOR_PASSWORD") or self.ask_password()
        user = User(username=username, email=email, is_staff=True)
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        with transaction.atomic():
            user.set_password(password)
            user.save()
            if not reviewer_only:
                user.groups.add(editors_group())
            if reviewer or reviewer_only:
                user.groups.add(medical_reviewers_group())
            if profile:
                profile.user = user
                profile.save(update_fields=["user"])
        roles = " and ".join(
            role for role, wanted in (("editor", not reviewer_only), ("medical reviewer", reviewer or reviewer_only)) if wanted
        )
        self.stdout.write(self.style.SUCCESS(f"{roles.capitalize()} {username!r} created. Log in at /admin/."))

    def ask_password(self):
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ. Nothing was created.")
        return password
