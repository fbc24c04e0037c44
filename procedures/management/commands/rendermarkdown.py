from django.core.management.base import BaseCommand
from django.db import transaction

from procedures.models import Author, Disclaimer, Procedure


class Command(BaseCommand):
    help = "Render every page's Markdown again (after the Markdown rules or the sanitiser change)."

    @transaction.atomic
    def handle(self, **options):
        count = 0
        for model in (Author, Disclaimer, Procedure):
            for obj in model.objects.all():
                obj.render_markdown()
                obj.save(update_fields=[html for _, html in model.markdown_fields])
                count += 1
        self.stdout.write(self.style.SUCCESS(f"Rendered {count} objects."))
