from django.db import connection

from .marks import END_MARK, MARK
from .postgresql import PostgreSQLSearch
from .sqlite import SQLiteSearch

__all__ = ["END_MARK", "MARK", "backend"]

BACKENDS = {"postgresql": PostgreSQLSearch(), "sqlite": SQLiteSearch()}


def backend():
    """The search for the database the site runs on."""
    return BACKENDS[connection.vendor]
