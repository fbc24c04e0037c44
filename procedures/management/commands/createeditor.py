import getpass
import os

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from procedures.roles import editors_group


class Command(BaseCommand):
    help = (
        "Create an editor login (staff, in the Editors group: can write pages, cannot manage users). "
        "Asks for the password, or reads it from the EDITOR_PASSWORD environment variable."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")

    def handle(self, username, email, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"There is already a user called {username!r}. Choose another name.")
        password = os.environ.get("EDITOR_PASSWORD") or self.ask_password()
        user = User(username=username, email=email, is_staff=True)
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        with transaction.atomic():
            user.set_password(password)
            user.save()
            user.groups.add(editors_group())
        self.stdout.write(self.style.SUCCESS(f"Editor {username!r} created. Log in at /admin/."))

    def ask_password(self):
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ. Nothing was created.")
        return password
