"""Search latency with 1,000 generated procedures, on SQLite and on PostgreSQL.

    make bench                                   # both databases
    .venv/bin/python bench/search_latency.py --database sqlite --procedures 1000 --queries 300

Each database is a fresh throwaway one (a temporary SQLite file; a new PostgreSQL database
on BENCH_POSTGRES, default postgres://postgres@127.0.0.1:5432, dropped afterwards). Prints
the median and 95th percentile of search() alone and of the whole /search/ page.
The target: a median under 50 ms.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 50
WORDS = (
    "skin hair scalp face chin neck arms thighs hips stomach buttocks legs fat cellulite wrinkles scars "
    "acne laser peel filler injection injections needle numbing cream sessions weeks months doctor nurse "
    "clinic redness bruising swelling itching pain infection recovery aftercare results collagen elastin "
    "vitamin enzyme hormone minoxidil finasteride alopecia pigment freckles veins sweating sun damage "
    "ageing tight smooth firm gentle deep shallow small large treatment procedure method device light "
    "heat cold cooling"
).split()
QUERIES = [
    "hair loss", "alopecia", "fat under chin", "cellulite", "laser", "scars", "acne scars", "wrinkles",
    "mesotherapy", "mesotherepy", "alopesia", "celulite", "injections", "bruising", "numbing cream",
    "tummy fat", "stomach", "sweating", "sun damage", "liposuction", "botox", "facial veins", "xyzzy",
]  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--procedures", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=300)
    options = parser.parse_args()
    if options.database == "both":
        for database in ("sqlite", "postgresql"):
            argv = [sys.executable, __file__, "--database", database, "--procedures", str(options.procedures)]
            subprocess.run([*argv, "--queries", str(options.queries)], check=False)
        return
    with throwaway_database(options.database) as url:
        os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="mesocare.settings", DEBUG="false")
        os.environ.setdefault("SECRET_KEY", "benchmark-only")
        os.environ.setdefault("CACHE_URL", "locmemcache://bench")
        sys.path.insert(0, str(ROOT))
        measure(options)


class throwaway_database:
    def __init__(self, vendor):
        self.vendor = vendor

    def __enter__(self):
        if self.vendor == "sqlite":
            self.directory = tempfile.TemporaryDirectory()
            return f"sqlite:///{self.directory.name}/bench.sqlite3"
        import psycopg

        self.server = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
        self.name = f"mesocare_bench_{os.getpid()}"
        with psycopg.connect(f"{self.server}/postgres", autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{self.name}"')
        return f"{self.server}/{self.name}"

    def __exit__(self, *exc):
        if self.vendor == "sqlite":
            self.directory.cleanup()
            return
        from django.db import connections

        connections.close_all()
        import psycopg

        with psycopg.connect(f"{self.server}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}"')


def measure(options):
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from procedures.contentfiles import CONTENT_DIR, load_content
    from procedures.search import search

    setup_test_environment()  # lets the test client talk to the site in-process
    call_command("migrate", verbosity=0)
    load_content(CONTENT_DIR)
    started = time.perf_counter()
    generate(options.procedures)
    print(f"\n{connection.vendor}: {options.procedures} generated procedures in {time.perf_counter() - started:.0f} s")

    randomness = random.Random(2026)
    queries = [randomness.choice(QUERIES + [" ".join(randomness.sample(WORDS, 2))]) for _ in range(options.queries)]
    for query in queries[:20]:
        search(query)  # warm up caches and connections
    report("search()", [timed(search, query) for query in queries])
    client = Client(HTTP_HOST="127.0.0.1")
    report("GET /search/", [timed(client.get, "/search/", {"q": query}) for query in queries])


def generate(count):
    from django.utils import timezone

    from procedures.models import Author, Procedure, Specialty

    randomness = random.Random(1)
    author = Author.objects.first()
    specialties = list(Specialty.objects.all())
    today = timezone.localdate()

    def words(n):
        return " ".join(randomness.choice(WORDS) for _ in range(n))

    def paragraph(sentences):
        return " ".join(words(randomness.randint(6, 14)).capitalize() + "." for _ in range(sentences))

    for number in range(count):
        title = f"{words(2).title()} {number}"
        procedure = Procedure(
            title=title,
            slug=f"generated-{number}",
            summary=paragraph(1)[:200],
            author=author,
            reviewer=author,
            last_reviewed=today,
            next_review_due=today.replace(year=today.year + 2),
            status=Procedure.Status.PUBLISHED,
            **{field: paragraph(randomness.randint(4, 10)) for field, _, _ in Procedure.SECTIONS},
        )
        procedure.save()
        procedure.specialties.set(randomness.sample(specialties, 1))


def timed(function, *args):
    started = time.perf_counter()
    response = function(*args)
    elapsed = (time.perf_counter() - started) * 1000
    status = getattr(response, "status_code", 200)
    if status != 200:
        raise SystemExit(f"{args} answered {status}")
    return elapsed


def report(what, milliseconds):
    median = statistics.median(milliseconds)
    p95 = statistics.quantiles(milliseconds, n=20)[-1]
    verdict = "within" if median < TARGET_MS else "OVER"
    figures = f"median {median:6.1f} ms   p95 {p95:6.1f} ms"
    print(f"  {what:<14} {figures}   ({len(milliseconds)} queries; {verdict} the {TARGET_MS} ms target)")


if __name__ == "__main__":
    main()
