from django.core.management.base import BaseCommand

from procedures.publishing.review import send_review_reminders


class Command(BaseCommand):
    help = "E-mail each medical reviewer the pages whose review is due within 30 days or overdue. Safe to run daily."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Say who would be e-mailed; send nothing.")

    def handle(self, dry_run, **options):
        reminded, without_address = send_review_reminders(dry_run=dry_run)
        verb = "Would e-mail" if dry_run else "E-mailed"
        for reviewer, pages in reminded:
            self.stdout.write(f"{verb} {reviewer.name} <{reviewer.user.email}> about {len(pages)} page(s).")
        for reviewer, pages in without_address:
            self.stderr.write(
                self.style.WARNING(
                    f"{reviewer.name} has {len(pages)} page(s) due but no login with an e-mail address: "
                    "link their author profile to a staff login in the admin."
                )
            )
        self.stdout.write(self.style.SUCCESS(f"{len(reminded)} reviewer(s) reminded."))
