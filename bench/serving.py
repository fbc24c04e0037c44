"""How fast gunicorn serves a procedure page, next to a static file of the same size.

    .venv/bin/python bench/serving.py                          # 3 rounds of 5 s per target
    .venv/bin/python bench/serving.py --rounds 1 --seconds 3 --json /tmp/serving.json

Sets up a throwaway copy of the site in a temporary directory the way `make run` does
(fresh SECRET_KEY, SQLite or --database-url, migrate, loadcontent, rendermarkdown,
collectstatic) and starts one gunicorn per variant in VARIANTS, as `make run` starts it.
The reference is /procedures/mesotherapy/'s own HTML saved into STATIC_ROOT (with a .gz
beside it, as collectstatic makes) and served by WhiteNoise.

wrk measures every target in turn, round after round, so the machine's noise hits all
alike: requests a second, p50 and p99 latency, and the CPU time of gunicorn's master and
workers per request. Then the memory of each worker after every public page was visited
once (beside, for scale, a process with nothing but Django, its admin and DRF loaded), and
the page's weight over the wire. Prints figures beside the issue's targets.
"""

import argparse
import atexit
import gzip
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ElementTree
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PAGE = "/procedures/mesotherapy/"
STATIC_PAGE = "/static/bench/mesotherapy.html"
REDIS = ("127.0.0.1", 6379)
REDIS_DB = 15  # flushed at the start and the end: keep nothing else in it

# The servers measured, each its own gunicorn: a name and what it adds to the site's
# environment. The first one also serves the static file.
VARIANTS = [
    ("cached (default)", {}),
    ("cached (Redis)", {"CACHE_URL": f"redis://{REDIS[0]}:{REDIS[1]}/{REDIS_DB}"}),
    ("uncached", {"PAGE_CACHE_SECONDS": "0"}),
]
# Commands started beside each gunicorn (cwd ROOT, same environment), as `make run` starts them.
ALSO_START = [[str(BIN / "python"), "manage.py", "runworker"]]

WORKERS = 3  # as the Makefile's WORKERS
WRK_THREADS = 2
WRK_CONNECTIONS = 32
WARM_UP_REQUESTS = 300

# The targets. Stock Wagtail used 62x the static file's CPU per request (37.4 ms vs
# 0.6 ms); uncached pages should use at most a third of that.
TARGET_REQUESTS_RATIO = 0.8
TARGET_P99_MS = 25
TARGET_CPU_RATIO = 62 / 3
TARGET_WORKER_MIB = 60
TARGET_PAGE_BYTES = 15_000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5, help="length of each wrk run")
    parser.add_argument("--database-url", help="use this database instead of a throwaway SQLite file")
    parser.add_argument("--json", metavar="PATH", help="also write the figures here as JSON")
    options = parser.parse_args()

    install_wrk()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that the clean-up runs
    site = ThrowawaySite(options.database_url)
    atexit.register(site.close)
    try:
        site.set_up()
        save_static_reference(site)
        servers = [site.start_server(name, extra) for name, extra in usable_variants(site)]
        for server in servers:
            server.wait_until_ready()
            warm_up(server)
        targets = [("static file", servers[0], STATIC_PAGE)] + [(server.name, server, PAGE) for server in servers]
        speed = measure(targets, options.rounds, options.seconds)
        memory = {server.name: memory_per_worker(server) for server in servers}
        memory_floor = bare_django_mib()
        weight = {"static file": page_weight(servers[0], STATIC_PAGE)}
        weight.update({server.name: page_weight(server, PAGE) for server in servers})
        figures = {"rounds": options.rounds, "seconds": options.seconds, "speed": speed, "memory": memory}
        figures["bare_django_mib"] = memory_floor
        figures.update(weight=weight, notes=site.notes)
        report(figures)
        if options.json:
            Path(options.json).write_text(json.dumps(figures, indent=2) + "\n")
    except KeyboardInterrupt:
        raise SystemExit("Interrupted; servers stopped and temporary files removed.") from None
    finally:
        site.close()


def install_wrk():
    if shutil.which("wrk"):
        return
    print("Installing wrk…", flush=True)
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(install, env=environment, capture_output=True, check=False).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=environment, capture_output=True, check=True)
        subprocess.run(install, env=environment, capture_output=True, check=True)


class ThrowawaySite:
    """The site's database, cache, static and media files in a temporary directory, and its servers."""

    def __init__(self, database_url):
        self.directory = Path(tempfile.mkdtemp(prefix="mesocare-serving-"))
        self.environment = {
            **os.environ,
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": database_url or f"sqlite:///{self.directory}/db.sqlite3",
            "CACHE_URL": f"filecache://{self.directory}/cache",
            "STATIC_ROOT": str(self.directory / "static"),
            "MEDIA_ROOT": str(self.directory / "media"),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
        }
        self.servers = []
        self.uses_redis = False
        self.notes = []

    def set_up(self):
        print(f"Setting up a throwaway site in {self.directory}…", flush=True)
        for command in (
            ["migrate", "--noinput"],
            ["collectstatic", "--noinput"],  # first, as make run does: pages carry the static files' names
            ["loadcontent"],
            ["rendermarkdown"],
        ):
            done = subprocess.run(
                [BIN / "python", "manage.py", *command], cwd=ROOT, env=self.environment, capture_output=True, text=True
            )
            if done.returncode != 0:
                raise SystemExit(f"manage.py {' '.join(command)} failed:\n{done.stdout}{done.stderr}")

    def start_server(self, name, extra_environment):
        server = Server(name, {**self.environment, **extra_environment}, self.directory)
        self.servers.append(server)
        return server

    def close(self):
        for server in self.servers:
            server.stop()
        self.servers = []
        if self.uses_redis:
            redis(f"SELECT {REDIS_DB}", "FLUSHDB")
            self.uses_redis = False
        shutil.rmtree(self.directory, ignore_errors=True)


class Server:
    """One gunicorn (`make run`'s command line, without the access log) and the ALSO_START commands."""

    def __init__(self, name, environment, log_directory):
        self.name = name
        self.port = free_port()
        self.log = log_directory / f"gunicorn-{self.port}.log"
        gunicorn = [BIN / "gunicorn", "mesocare.wsgi", "--preload", "--bind", f"127.0.0.1:{self.port}", "--workers", str(WORKERS)]
        with self.log.open("ab") as log:
            self.processes = [
                subprocess.Popen(
                    command,
                    cwd=ROOT,
                    env=environment,
                    stdout=log,
                    stderr=log,
                    start_new_session=True,  # its own process group, stopped as one
                )
                for command in [gunicorn, *ALSO_START]
            ]
        self.master = self.processes[0].pid

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_until_ready(self, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.processes[0].poll() is not None:
                break
            if fetch(self.url(PAGE))[0] == 200:
                return
            time.sleep(0.25)
        raise SystemExit(f"{self.name} did not answer 200 on {PAGE}:\n{self.log.read_text()[-3000:]}")

    def workers(self):
        return [pid for pid in all_pids() if parent_pid(pid) == self.master]

    def cpu_seconds(self):
        """User and system CPU time of the master and its workers so far."""
        return sum(cpu_seconds(pid) for pid in [self.master, *self.workers()])

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def usable_variants(site):
    for name, extra in VARIANTS:
        if extra.get("CACHE_URL", "").startswith("redis://"):
            if not (redis("PING") or "").startswith("+PONG"):
                site.notes.append(f"{name} skipped: Redis does not answer on {REDIS[0]}:{REDIS[1]}.")
                print(site.notes[-1])
                continue
            site.uses_redis = True
            redis(f"SELECT {REDIS_DB}", "FLUSHDB")
        yield name, extra


def save_static_reference(site):
    """The page's HTML from a first server, saved where WhiteNoise finds it when the measured servers start."""
    server = site.start_server("first", {})
    server.wait_until_ready()
    html = fetch(server.url(PAGE))[2]
    server.stop()
    site.servers.remove(server)
    path = Path(site.environment["STATIC_ROOT"]) / STATIC_PAGE.removeprefix("/static/")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(html)
    path.with_name(path.name + ".gz").write_bytes(gzip.compress(html, compresslevel=9, mtime=0))


def warm_up(server):
    paths = [PAGE, STATIC_PAGE] * (WARM_UP_REQUESTS // 2)
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda path: fetch(server.url(path), "gzip"), paths))


def measure(targets, rounds, seconds):
    runs = {name: [] for name, _, _ in targets}
    for round_number in range(1, rounds + 1):
        for name, server, path in targets:
            print(f"Round {round_number}/{rounds}: {name}…", flush=True)
            cpu_before = server.cpu_seconds()
            run = wrk(server.url(path), seconds)
            run["cpu_ms_per_request"] = (server.cpu_seconds() - cpu_before) * 1000 / max(run["requests"], 1)
            runs[name].append(run)
    return {
        name: {
            "median": {figure: statistics.median(run[figure] for run in target_runs) for figure in target_runs[0]},
            "rounds": target_runs,
        }
        for name, target_runs in runs.items()
    }


def wrk(url, seconds):
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "--latency"]
    output = subprocess.run([*command, "-H", "Accept-Encoding: gzip", url], capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(\d+)%\s+(\S+)$", output, re.MULTILINE))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "requests": int(re.search(r"(\d+) requests in", output)[1]),
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        "p50_ms": milliseconds(latency["50"]),
        "p99_ms": milliseconds(latency["99"]),
        "non_2xx_3xx": int(bad[1]) if bad else 0,
        "socket_errors": sum(map(int, socket_errors.groups())) if socket_errors else 0,
    }


def milliseconds(duration):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", duration).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000}[unit]


def memory_per_worker(server):
    """VmRSS (and PSS: shared pages counted once among the processes sharing them) of each
    worker after every public page was asked for once."""
    statuses = [fetch(url)[0] for url in public_pages(server)]
    sizes = [resident_mib(pid) for pid in server.workers()]
    shares = [proportional_mib(pid) for pid in server.workers()]
    return {
        "max_mib": max(sizes),
        "mean_mib": statistics.mean(sizes),
        "max_pss_mib": max(shares),
        "mean_pss_mib": statistics.mean(shares),
        "workers": len(sizes),
        "pages": len(statuses),
        "pages_not_200": sum(status != 200 for status in statuses),
    }


# For scale: a process with only Django, its admin and Django REST framework loaded, none of
# the site (and, as in the site's workers, without requests, pygments and psycopg), after it
# has worked out the admin's addresses and read one of its templates.
BARE_DJANGO = """
import sys
for left_out in ("requests", "pygments", "psycopg"):
    sys.modules[left_out] = None
from django.conf import settings
settings.configure(
    INSTALLED_APPS=["django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
                    "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles", "rest_framework"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}],
    ROOT_URLCONF=__name__, MIDDLEWARE=[],
)
from django.core.wsgi import get_wsgi_application
get_wsgi_application()
import rest_framework.routers, rest_framework.serializers, rest_framework.viewsets
from django.contrib import admin
from django.template.loader import get_template
from django.urls import path, reverse
urlpatterns = [path("admin/", admin.site.urls)]
reverse("admin:index")
get_template("admin/index.html")
print(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmRSS:")))
"""


def bare_django_mib():
    done = subprocess.run([BIN / "python", "-c", BARE_DJANGO], capture_output=True, text=True, check=True)
    return int(done.stdout) / 1024


def public_pages(server):
    sitemap = ElementTree.fromstring(fetch(server.url("/sitemap.xml"))[2])  # noqa: S314 (our own server's sitemap)
    paths = [urlsplit(loc.text).path for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    paths += ["/api/v1/procedures/", "/search/?q=hair+loss", "/feeds/updates/"]
    for path in list(paths):
        if slug := re.fullmatch(r"/procedures/([\w-]+)/", path):
            paths += [f"{path}embed/", f"{path}print/", f"/api/v1/procedures/{slug[1]}/"]
    return [server.url(path) for path in paths]


def page_weight(server, path):
    """Bytes over the wire: uncompressed, with gzip, and with br if the server answers br."""
    identity, gzipped, brotli = (fetch(server.url(path), encoding) for encoding in ("identity", "gzip", "br"))
    return {
        "identity_bytes": len(identity[2]),
        "gzip_bytes": len(gzipped[2]),
        "br_bytes": len(brotli[2]) if brotli[1].get("Content-Encoding") == "br" else None,
        "content_encoding": gzipped[1].get("Content-Encoding"),
        "headers": dict(gzipped[1]),
    }


def fetch(url, encoding="identity"):
    """Status, headers and body as sent (not decompressed); status 0 if nothing answered."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": encoding})  # noqa: S310 (our own servers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()
    except OSError:
        return 0, {}, b""


def redis(*commands):
    """Sends inline commands to Redis on one connection; its replies, or None if Redis does not answer."""
    try:
        with socket.create_connection(REDIS, timeout=2) as connection:
            connection.sendall("".join(f"{command}\r\n" for command in commands).encode())
            replies = b""
            while replies.count(b"\r\n") < len(commands) and (chunk := connection.recv(4096)):
                replies += chunk
            return replies.decode()
    except OSError:
        return None


# /proc -----------------------------------------------------------------------------------


def all_pids():
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def stat_fields(pid):
    """The fields of /proc/<pid>/stat after the command name, from field 3 (state) on."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:  # the process has gone
        return None


def parent_pid(pid):
    fields = stat_fields(pid)
    return int(fields[1]) if fields else None


def cpu_seconds(pid):
    fields = stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") if fields else 0.0  # utime, stime


def proportional_mib(pid):
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    return int(re.search(r"^Pss:\s+(\d+) kB", rollup, re.MULTILINE)[1]) / 1024


def resident_mib(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)[1]) / 1024


# Report ---------------------------------------------------------------------------------


def report(figures):
    speed = figures["speed"]
    static = speed["static file"]["median"]
    print(
        f"\nServing {PAGE} (rounds: {figures['rounds']} of wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} "
        f"-d{figures['seconds']}s, Accept-Encoding: gzip; median of the rounds; {WORKERS} gunicorn workers)"
    )
    print(f"  {'target':<18} {'req/s':>8} {'x static':>9} {'p50 ms':>7} {'p99 ms':>7}", end="")
    print(f" {'CPU ms/req':>11} {'x static CPU':>13} {'errors':>7}")
    for name, target in speed.items():
        median = target["median"]
        errors = sum(run["non_2xx_3xx"] + run["socket_errors"] for run in target["rounds"])
        print(
            f"  {name:<18} {median['requests_per_second']:>8.0f} "
            f"{median['requests_per_second'] / static['requests_per_second']:>9.2f} "
            f"{median['p50_ms']:>7.2f} {median['p99_ms']:>7.2f} {median['cpu_ms_per_request']:>11.3f} "
            f"{median['cpu_ms_per_request'] / static['cpu_ms_per_request']:>13.1f} {errors:>7}"
        )
    print(
        f"  targets: cached >= {TARGET_REQUESTS_RATIO} x static req/s and p99 < {TARGET_P99_MS} ms; "
        f"uncached CPU/request <= {TARGET_CPU_RATIO:.1f} x static (a third of stock Wagtail's 62 x)"
    )
    print("  (errors: non-2xx/3xx answers and socket errors, all rounds)")

    print(
        f"\nMemory per worker (VmRSS and PSS after every public page once, gunicorn --preload; target <= {TARGET_WORKER_MIB} MiB)"
    )
    columns = f"{'max MiB':>8} {'mean MiB':>9} {'PSS max':>8} {'PSS mean':>9} {'workers':>8} {'pages':>6} {'not 200':>8}"
    print(f"  {'server':<18} {columns}")
    for name, memory in figures["memory"].items():
        print(
            f"  {name:<18} {memory['max_mib']:>8.1f} {memory['mean_mib']:>9.1f} {memory['max_pss_mib']:>8.1f} "
            f"{memory['mean_pss_mib']:>9.1f} {memory['workers']:>8} {memory['pages']:>6} {memory['pages_not_200']:>8}"
        )
    print(f"  For scale: Django with its admin and DRF, none of the site, one process: {figures['bare_django_mib']:.1f} MiB")

    print(f"\nPage weight over the wire (target <= {TARGET_PAGE_BYTES:,} bytes compressed)")
    print(f"  {'from':<18} {'plain':>8} {'gzip':>8} {'br':>8}  Content-Encoding (gzip asked)")
    for name, weight in figures["weight"].items():
        br = f"{weight['br_bytes']:,}" if weight["br_bytes"] else "-"
        encoding = weight["content_encoding"] or "none"
        print(f"  {name:<18} {weight['identity_bytes']:>8,} {weight['gzip_bytes']:>8,} {br:>8}  {encoding}")
    page_headers = figures["weight"][VARIANTS[0][0]]["headers"]
    print(f"\nHeaders of {PAGE}:")
    for header, value in page_headers.items():
        print(f"  {header}: {value[:110]}")
    for note in figures["notes"]:
        print(f"\nNote: {note}")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


if __name__ == "__main__":
    main()
