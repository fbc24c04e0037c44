"""Keeping the search index in step with the pages, once each change has committed."""

from django.db import transaction

from procedures import search
from procedures.models import Procedure

from .side_effects import after_commit


def index_after_commit(procedure):
    def index():
        with transaction.atomic():
            saved = Procedure.objects.filter(pk=procedure.pk).first()
            if saved is not None:
                search.index(saved)

    after_commit(("index", procedure.pk), index)


def index_every_page_after_commit():
    def index_every_page():
        with transaction.atomic():
            search.index_every_page()

    after_commit(("index", "every page"), index_every_page)
