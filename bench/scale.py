"""The lists and search with many pages: 1,000 and then 10,000 generated treatments, on SQLite
and on PostgreSQL.

    .venv/bin/python bench/scale.py                                # both databases, 1,000 and 10,000 pages
    .venv/bin/python bench/scale.py --database sqlite --pages 1000 --requests 30

Each database is a fresh throwaway one (a temporary SQLite file; a new PostgreSQL database on
BENCH_POSTGRES, default postgres://postgres@127.0.0.1:5432, dropped afterwards), with the
site's own content/ loaded. The pages are generated in bulk: rows written directly (sections
of plain paragraphs, their HTML alongside), then put into the search index with the function a
save uses. Saving 10,000 pages one at a time the way the admin does would take the best part
of an hour, and these figures are about reading. Each page uses a few made-up words as well
as common ones, so that the words search knows grow with the site, as real pages' do.

Whole-page caching is off (PAGE_CACHE_SECONDS=0): every figure is the cost of building the
answer. For each kind of page: median and 95th percentile time, the most database queries a
request made (including the site's own freshness checks) and the HTML's size (and gzipped).
Search: search() alone and the whole /search/ page, over a mix of common words, synonyms,
misspellings and words that find nothing. Target: medians under 50 ms.
"""

import argparse
import gzip
import io
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
SYLLABLES = (
    "ab al an ar bel bi ca cor da der do el en fa fi ga hy id ka la lo lu ma me mi na ne no "
    "ol or pa pe po ra re ri sa se so ta te ti to ul va ve vi xa zo"
).split()
QUERIES = [
    "hair loss", "alopecia", "fat under chin", "cellulite", "laser", "scars", "acne scars", "wrinkles",
    "mesotherapy", "mesotherepy", "alopesia", "celulite", "injections", "bruising", "numbing cream",
    "tummy fat", "stomach", "sweating", "sun damage", "liposuction", "botox", "facial veins", "xyzzy",
]  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pages", default="1000,10000", help="site sizes to measure, in turn (default 1000,10000)")
    parser.add_argument("--requests", type=int, default=40, help="requests per kind of page (search: 5 times as many)")
    options = parser.parse_args()
    if options.database == "both":
        for database in ("sqlite", "postgresql"):
            argv = [sys.executable, __file__, "--database", database, "--pages", options.pages]
            subprocess.run([*argv, "--requests", str(options.requests)], check=False)
        return
    with throwaway_database(options.database) as url:
        os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="mesocare.settings", DEBUG="false")
        # One client searching hundreds of times: no per-client limit here.
        os.environ.update(PAGE_CACHE_SECONDS="0", CACHE_URL="locmemcache://bench", SEARCH_RATE_LIMIT="")
        os.environ.setdefault("SECRET_KEY", "benchmark-only")
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

    from procedures.contentfiles import CONTENT_DIR, load_content

    # The test client talks to the site in-process; no setup_test_environment(), which would
    # copy every template's context for inspection and slow long lists down by half.
    call_command("migrate", verbosity=0)
    load_content(CONTENT_DIR)
    generated = 0
    for size in (int(pages) for pages in options.pages.split(",")):
        started = time.perf_counter()
        made_up = generate(generated, size)
        generated = size
        print(f"\n{connection.vendor}, {size:,} pages (generated in {time.perf_counter() - started:.0f} s)")
        print(f"  {'':<34} {'median':>9} {'p95':>9} {'queries':>8} {'HTML':>8} {'gzipped':>8}")
        for what, addresses in pages_to_measure():
            report(what, *timed_pages(addresses, options.requests))
        search_queries(options.requests * 5, made_up)
        if size == 1000:
            rerender_in_the_background()


def rerender_in_the_background():
    """What a glossary change costs at this size: every page re-rendered by the worker."""
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from procedures.models import Procedure, RenderJob
    from procedures.publishing.background import rerender_pages_later

    job = rerender_pages_later("Benchmark: every page", pages={})
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        call_command("runworker", batch=True, stdout=io.StringIO())
    seconds = time.perf_counter() - started
    job = RenderJob.objects.get(pk=job.pk)
    pages = Procedure.objects.count()
    print(
        f"  re-render every page in the background: {job.done:,} of {pages:,} pages ({job.get_status_display()}) "
        f"in {seconds:.1f} s ({job.done / seconds:.0f} pages/s), {len(queries):,} queries "
        f"({len(queries) / max(job.done, 1):.1f} a page)"
    )


def generate(first, last):
    """Procedures number `first` to `last`, published, each with a specialty, a condition and a
    body area; returns the made-up words used."""
    from django.db import connection, transaction
    from django.utils import timezone

    from procedures import search
    from procedures.models import Author, BodyArea, Condition, Procedure, Specialty
    from procedures.publishing.freshness import content_changed

    randomness = random.Random(first)
    authors, specialties = list(Author.objects.all()), list(Specialty.objects.all())
    reviewers = [author for author in authors if author.is_qualified_reviewer]
    conditions, areas = list(Condition.objects.all()), list(BodyArea.objects.all())
    today = timezone.localdate()
    made_up = ["".join(randomness.choices(SYLLABLES, k=randomness.randint(3, 4))) for _ in range(3 * (last - first))]

    def sentence():
        words = randomness.choices(WORDS, k=randomness.randint(6, 14)) + randomness.sample(made_up, 1)
        randomness.shuffle(words)
        return " ".join(words).capitalize() + "."

    def paragraph():
        return " ".join(sentence() for _ in range(randomness.randint(4, 10)))

    procedures = []
    for number in range(first, last):
        sections = {field: paragraph() for field, _, _ in Procedure.SECTIONS}
        procedures.append(
            Procedure(
                title=f"{randomness.choice(WORDS + made_up).capitalize()} {randomness.choice(WORDS)} {number}",
                slug=f"generated-{number}",
                summary=sentence()[:200],
                author=randomness.choice(authors),
                reviewer=randomness.choice(reviewers),
                status=Procedure.Status.PUBLISHED,
                first_published=today,
                last_reviewed=today,
                next_review_due=today.replace(year=today.year + 2),
                **sections,
                **{f"{field}_html": f"<p>{text}</p>" for field, text in sections.items()},
            )
        )
    with transaction.atomic():
        Procedure.objects.bulk_create(procedures, batch_size=500)
        for tag, choices in (("specialties", specialties), ("conditions", conditions), ("body_areas", areas)):
            through = getattr(Procedure, tag).through
            column = getattr(Procedure, tag).field.m2m_reverse_field_name()
            rows = [through(procedure_id=p.pk, **{f"{column}_id": randomness.choice(choices).pk}) for p in procedures]
            through.objects.bulk_create(rows, batch_size=1000)
        content_changed()
    with transaction.atomic():
        for procedure in Procedure.objects.filter(pk__in=[p.pk for p in procedures]).prefetch_related(
            "conditions", "body_areas", "specialties", "glossary_terms"
        ):
            search.index(procedure)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum soon would, after so many new rows
    return made_up


def pages_to_measure():
    """(what, the addresses to cycle through) for each kind of list."""
    from django.core.paginator import Paginator

    from procedures.models import Author, BodyArea, Condition, Specialty
    from procedures.web.views import PROCEDURES_PER_PAGE

    def last_page(queryset):
        return Paginator(queryset.published().order_by("pk"), PROCEDURES_PER_PAGE).num_pages

    specialties, conditions = list(Specialty.objects.all()), list(Condition.objects.all())
    areas, authors = list(BodyArea.objects.all()), list(Author.objects.all())
    letters = "abcdefghilmnoprstvw"
    return [
        ("home /", ["/"]),
        ("A–Z /procedures/", ["/procedures/"]),
        ("A–Z, a letter's first page", [f"/procedures/letters/{letter}/" for letter in letters]),
        ("A–Z in a specialty", [f"/procedures/?specialty={s.slug}" for s in specialties]),
        ("specialty, first page", [s.get_absolute_url() for s in specialties]),
        ("specialty, last page", [f"{s.get_absolute_url()}?page={last_page(s.procedures)}" for s in specialties]),
        ("condition, first page", [c.get_absolute_url() for c in conditions]),
        ("body area, first page", [a.get_absolute_url() for a in areas]),
        ("author", [a.get_absolute_url() for a in authors]),
        (
            "author's pages, last page",
            [f"/authors/{a.slug}/pages/?page={last_page(a.procedures)}" for a in authors if a.procedures.exists()],
        ),
        ("sitemap.xml", ["/sitemap.xml"]),
    ]


def timed_pages(addresses, requests):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    queries, sizes = [], []
    for address in addresses:  # once each: warm, and count what it costs
        with CaptureQueriesContext(connection) as captured:
            response = ok(client.get(address), address)
        queries.append(len(captured))
        sizes.append((len(response.content), len(gzip.compress(response.content))))
    milliseconds = []
    for number in range(requests):
        address = addresses[number % len(addresses)]
        started = time.perf_counter()
        ok(client.get(address), address)
        milliseconds.append((time.perf_counter() - started) * 1000)
    return milliseconds, max(queries), max(sizes)


def ok(response, address):
    if response.status_code != 200:
        raise SystemExit(f"{address} answered {response.status_code}")
    return response


def search_queries(count, made_up):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from procedures.search import search

    randomness = random.Random(2026)
    mixes = [
        lambda: randomness.choice(QUERIES),
        lambda: " ".join(randomness.sample(WORDS, 2)),
        lambda: randomness.choice(made_up),
        lambda: misspelt(randomness, randomness.choice(made_up)),  # corrected against the site's words
    ]
    queries = [randomness.choice(mixes)() for _ in range(count)]
    most = 0
    for query in queries[:20]:
        with CaptureQueriesContext(connection) as captured:
            search(query)  # warm up caches and connections
        most = max(most, len(captured))
    report("search()", [timed(search, query) for query in queries], most)
    client = Client(HTTP_HOST="127.0.0.1")
    report("GET /search/", [timed(client.get, "/search/", {"q": query}) for query in queries])


def misspelt(randomness, word):
    at = randomness.randrange(1, len(word) - 1)
    return word[:at] + word[at + 1 :]


def timed(function, *args):
    started = time.perf_counter()
    response = function(*args)
    elapsed = (time.perf_counter() - started) * 1000
    if getattr(response, "status_code", 200) != 200:
        raise SystemExit(f"{args} answered {response.status_code}")
    return elapsed


def report(what, milliseconds, queries=None, size=None):
    median = statistics.median(milliseconds)
    p95 = statistics.quantiles(milliseconds, n=20)[-1]
    flag = "" if median < TARGET_MS else f"   OVER the {TARGET_MS} ms target"
    queries = f"{queries:>8}" if queries is not None else f"{'':>8}"
    size = f"{size[0] / 1024:>6.0f} KB{size[1] / 1024:>6.0f} KB" if size else ""
    print(f"  {what:<34} {median:6.1f} ms {p95:6.1f} ms{queries} {size}{flag}")


if __name__ == "__main__":
    main()
