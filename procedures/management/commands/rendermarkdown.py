from django.core.management.base import BaseCommand
from django.db import transaction

from procedures.publishing.rendering import render_every_page


class Command(BaseCommand):
    help = "Render every page's Markdown again (after the Markdown rules, the sanitiser or the glossary change)."

    @transaction.atomic
    def handle(self, **options):
        count = render_every_page()
        self.stdout.write(self.style.SUCCESS(f"Rendered {count} pages."))
