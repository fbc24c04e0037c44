"""When the database cannot serve, visitors get a plain 503 page that asks them to come back in a
few minutes, with Retry-After, instead of the 500 page that says something broke for good; and
the log gets one line per request instead of the same traceback again and again. A request
refused as suspicious (a Host we do not serve, a path out of MEDIA_ROOT) keeps its 400 and is
one line in the log too: the traceback would say nothing about the site.

Only an outage is treated so: the database is unreachable, the connection is lost, or it cannot
take work now (shutting down, out of connections or space, locked). Any other database error —
a wrong query, a missing table — is a bug, and keeps its 500 page and its traceback.

Logging is configured before Django loads the apps and this module is imported then (LOGGING in
settings): it must not import models."""

import logging
import sqlite3
import sys
from http.client import responses

from django.conf import settings
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils import translation
from django.views import defaults

from procedures.text.languages import direction, language_tag

from .languages import address_language

# PostgreSQL error classes meaning "cannot serve now": 08 connection exception, 53 insufficient
# resources (too many connections, disk full), 57P admin or crash shutdown, cannot connect now.
POSTGRESQL_OUTAGES = ("08", "53", "57P")
SQLITE_OUTAGES = {
    sqlite3.SQLITE_BUSY,
    sqlite3.SQLITE_LOCKED,
    sqlite3.SQLITE_IOERR,
    sqlite3.SQLITE_FULL,
    sqlite3.SQLITE_CANTOPEN,
}


def is_database_outage(error):
    if isinstance(error, InterfaceError):  # the connection was closed or lost under us
        return True
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__  # the driver's own error, which Django wraps
    psycopg = sys.modules.get("psycopg")  # loaded only on PostgreSQL: it would cost SQLite sites 20 MiB a process
    if psycopg is not None and isinstance(cause, psycopg.Error):
        # psycopg gives no SQLSTATE when it could not connect or lost the connection.
        return cause.sqlstate is None or cause.sqlstate.startswith(POSTGRESQL_OUTAGES)
    if isinstance(cause, sqlite3.Error):
        return cause.sqlite_errorcode & 0xFF in SQLITE_OUTAGES  # the primary code, without the extended part
    return False


def service_unavailable(path):
    """The 503 page, in the address's language. It needs no database or context processor, so it
    can always be shown (also when the page cache, before LanguageFromAddress, fails)."""
    code = address_language(path)
    language = {"language_tag": language_tag(code), "language_direction": direction(code)}
    with translation.override(code):
        response = HttpResponse(loader.render_to_string("503.html", language), status=503)
    response["Retry-After"] = str(settings.DATABASE_OUTAGE_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    response["Content-Language"] = code
    return response


def server_error(request):
    """handler500: a 503 when the error in flight is a database outage, Django's 500 page otherwise;
    either in the address's language (the error may come before LanguageFromAddress)."""
    if is_database_outage(sys.exc_info()[1]):
        return service_unavailable(request.path_info)
    with translation.override(address_language(request.path_info)):
        response = defaults.server_error(request)
        response["Content-Language"] = translation.get_language()
    return response


def in_one_line(error):
    return " ".join(str(error).split())


class DatabaseOutageInOneLine(logging.Filter):
    """On django.request: a 503 for a database outage is logged as one line with the database's
    own message (say, "Connection refused"); the traceback would be the same for every request."""

    def filter(self, record):
        error = record.exc_info[1] if record.exc_info else None
        if getattr(record, "status_code", None) == 503 and is_database_outage(error):
            record.msg = f"{record.getMessage()} (the database is unavailable: {in_one_line(error)})"
            record.args = ()
            record.exc_info = record.exc_text = None
        return True


def printable(text):
    """Text as one line the reader can trust: no line breaks or terminal controls from a visitor."""
    return "".join(character if character.isprintable() else ascii(character)[1:-1] for character in str(text))


class SuspiciousRequestInOneLine(logging.Filter):
    """On the log's handler, for django.security.*: a request Django refused as suspicious
    (DisallowedHost, SuspiciousFileOperation, …) is logged as one warning with its status, path
    and reason. Each gets its own logger (django.security.<ErrorName>), and a logger's filters
    do not reach its children's records, so this sits on the handler."""

    def filter(self, record):
        request = getattr(record, "request", None)
        if record.name.startswith("django.security.") and request is not None:
            status = getattr(record, "status_code", 400)
            reason = f"{record.name.removeprefix('django.security.')}: {record.getMessage()}"
            record.msg = "%s (%s): %s (%s)"
            record.args = (responses.get(status, "Refused"), status, printable(request.path), printable(reason))
            record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
            record.exc_info = record.exc_text = None
        return True
