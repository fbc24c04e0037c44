from django.core.management.base import BaseCommand
from django.db import transaction

from procedures.search import index_every_page


class Command(BaseCommand):
    help = "Rebuild the search index from every procedure page (it is normally kept up to date as pages are saved)."

    @transaction.atomic
    def handle(self, **options):
        index_every_page()
        self.stdout.write(self.style.SUCCESS("Search index rebuilt."))
