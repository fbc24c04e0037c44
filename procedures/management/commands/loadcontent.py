from django.core.management.base import BaseCommand, CommandError

from procedures.contentfiles import CONTENT_DIR, ContentError, load_content


class Command(BaseCommand):
    help = "Load content/ (Markdown files with front matter) into the database: all or nothing, matched by slug."

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", default=CONTENT_DIR)
        parser.add_argument("--dry-run", action="store_true", help="Check and report, change nothing.")
        parser.add_argument("--force", action="store_true", help="Let files overwrite pages also changed in the admin.")

    def handle(self, directory, dry_run, force, **options):
        try:
            report = load_content(directory, force=force, dry_run=dry_run)
        except ContentError as error:
            problems = "\n".join(f"  {problem}" for problem in error.problems)
            raise CommandError(f"Nothing was loaded; fix these first:\n{problems}") from None
        for outcome in ("created", "updated", "unchanged"):
            for name in getattr(report, outcome):
                self.stdout.write(f"{outcome:>9}  {name}")
        for name, why in report.skipped:
            self.stdout.write(self.style.WARNING(f"  skipped  {name}: {why}"))
        summary = f"{len(report.created)} created, {len(report.updated)} updated, {len(report.unchanged)} unchanged"
        summary += f", {len(report.skipped)} skipped" if report.skipped else ""
        self.stdout.write(self.style.SUCCESS(f"{'Dry run, nothing saved: ' if dry_run else ''}{summary}."))
