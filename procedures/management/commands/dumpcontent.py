from django.core.management.base import BaseCommand

from procedures.contentfiles import CONTENT_DIR, dump_content


class Command(BaseCommand):
    help = "Write the database's content to content/ (or DIRECTORY) in the format loadcontent reads."

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", default=CONTENT_DIR)

    def handle(self, directory, **options):
        written = dump_content(directory)
        self.stdout.write(self.style.SUCCESS(f"Wrote {len(written)} files to {directory}."))
