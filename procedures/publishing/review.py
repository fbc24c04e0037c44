"""Medical review: recording that a reviewer checked a page, and reminding reviewers of the
pages whose review is due."""

import datetime
from itertools import groupby

import reversion
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from procedures.models import REVIEW_DUE_SOON_DAYS, AuditEntry, Procedure

from . import audit
from .pages import page_changed

REVIEW_FIELDS = ["reviewer", "last_reviewed", "next_review_due", "review_reminder_sent", "modified_at"]


@transaction.atomic
def record_review(procedure, *, reviewer, reviewed_on, next_review_due, by):
    """A medical reviewer (`reviewer`, an author) checked the page on `reviewed_on`; recorded by
    the login `by`. The page's text is not touched."""
    procedure.next_review_due = next_review_due
    procedure.review_reminder_sent = None
    recorded(procedure, reviewer, reviewed_on, by, REVIEW_FIELDS)
    page_changed(procedure)


@transaction.atomic
def record_translation_review(translated, *, reviewer, reviewed_on, by):
    """A medical reviewer checked a translation (its words, in its language) on `reviewed_on`.
    A translation is reviewed again when its page is: it has no review due date of its own."""
    fields = ["reviewer", "last_reviewed", "modified_at"]
    language = translated.get_language_display()
    recorded(translated, reviewer, reviewed_on, by, fields, page=translated.procedure, detail=f"the {language} translation, ")
    page_changed(translated.procedure)


def recorded(reviewed, reviewer, reviewed_on, by, fields, *, page=None, detail=""):
    """The review on the page (or its translation), in its history and in the page's audit log;
    its text untouched."""
    reviewed.reviewer = reviewer
    reviewed.last_reviewed = reviewed_on
    with reversion.create_revision():
        reversion.set_user(by)
        reversion.set_comment(f"Recorded a medical review by {reviewer}.")
        reviewed.save(update_fields=fields)
    audit.record(AuditEntry.Action.REVIEWED, page or reviewed, f"{detail}by {reviewer}", user=by)


# Reminders -------------------------------------------------------------------------------


def pages_to_remind(today):
    """Pages due within 30 days or overdue, whose reviewer was not reminded in the last few days."""
    remind_again_after = today - datetime.timedelta(days=settings.REVIEW_REMINDER_EVERY_DAYS)
    return (
        Procedure.objects.filter(
            reviewer__isnull=False, next_review_due__lte=today + datetime.timedelta(days=REVIEW_DUE_SOON_DAYS)
        )
        .filter(Q(review_reminder_sent__isnull=True) | Q(review_reminder_sent__lte=remind_again_after))
        .select_related("reviewer__user")
        .order_by("reviewer__name", "reviewer_id", "next_review_due")
    )


def send_review_reminders(*, dry_run=False):
    """E-mail each reviewer one list of their pages due. Returns (reminded, without_address) pairs of
    (reviewer, pages). Safe to run daily: a reviewer hears about a page again only after
    REVIEW_REMINDER_EVERY_DAYS days."""
    today = timezone.localdate()
    reminded, without_address = [], []
    for reviewer, pages in groupby(pages_to_remind(today), key=lambda page: page.reviewer):
        pages = list(pages)
        address = reviewer.user.email if reviewer.user else ""
        if not address:
            without_address.append((reviewer, pages))
            continue
        if not dry_run:
            send_mail(reminder_subject(pages), reminder_body(reviewer, pages), None, [address])
            Procedure.objects.filter(pk__in=[page.pk for page in pages]).update(review_reminder_sent=today)
        reminded.append((reviewer, pages))
    return reminded, without_address


def reminder_subject(pages):
    count = len(pages)
    return ngettext(
        "mesocare: %(count)s page due for medical review", "mesocare: %(count)s pages due for medical review", count
    ) % {"count": count}


def reminder_body(reviewer, pages):
    lines = [
        gettext("Dear %(name)s,") % {"name": reviewer.name},
        "",
        gettext("These pages you reviewed are due for another medical review:"),
        "",
    ]
    for page in pages:
        due = {"page": page.title, "date": date_format(page.next_review_due, "j F Y"), "state": page.review_state.label.lower()}
        lines += [
            gettext("- %(page)s: due %(date)s (%(state)s)") % due,
            f"  {settings.SITE_URL}{reverse('admin:procedures_procedure_review', args=[page.pk])}",
        ]
    lines += ["", gettext("Thank you for keeping our pages trustworthy."), "mesocare"]
    return "\n".join(lines)
