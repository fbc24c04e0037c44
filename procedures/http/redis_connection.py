"""A connection to one Redis, for the cache: commands packed and replies parsed by hiredis (in C).

The cache sends a dozen plain commands. redis-py, which Django's own Redis cache uses, loads its
cluster, sentinel, asyncio, keyspace-notification and observability clients along with them:
about 6 MiB in every web worker, and a layer of retries and events around each command that
costs more than a cached page's own work.

Addresses as redis-py takes them: `redis://[[user]:password@]host[:port][/db]`, `rediss://…`
(TLS: the certificate checked against the system's authorities, or `?ssl_ca_certs=/path.pem`;
not at all with `?ssl_cert_reqs=none`) and `unix:///path/to.sock[?db=N]`."""

import os
import select
import socket
import ssl
from urllib.parse import parse_qsl, unquote, urlsplit

import hiredis
from django.core.exceptions import ImproperlyConfigured

DEFAULT_PORT = 6379
READ_SIZE = 65536


class RedisFailed(Exception):
    """Redis refused, hung up, timed out, or answered a command with an error."""


def without_password(url):
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


def address_options(url):
    """What a Redis address says: where Redis is, the account, the database, TLS."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss", "unix"):
        raise ImproperlyConfigured(f"A Redis address starts with redis://, rediss:// or unix://, not {without_password(url)!r}.")
    options = {"username": unquote(parts.username or "") or None, "password": unquote(parts.password or "") or None}
    if parts.scheme == "unix":
        options["path"] = unquote(parts.path)
    else:
        options.update(host=parts.hostname or "localhost", port=parts.port or DEFAULT_PORT, tls=parts.scheme == "rediss")
        if parts.path.strip("/"):
            options["db"] = parts.path.strip("/")
    return {**options, **dict(parse_qsl(parts.query))}


def checks_certificate(ssl_cert_reqs):
    """`ssl_cert_reqs` as redis-py takes it: "required" (or "optional"), "none", None or ssl.CERT_*."""
    name = "none" if ssl_cert_reqs is None else getattr(ssl_cert_reqs, "name", str(ssl_cert_reqs)).lower()
    checks = {"required": True, "optional": True, "none": False}.get(name.removeprefix("cert_"))
    if checks is None:
        raise ImproperlyConfigured(f"Redis ssl_cert_reqs is required, optional or none, not {ssl_cert_reqs!r}.")
    return checks


def seconds(name, value):
    """A socket timeout: None waits for ever; anything else must be more than 0."""
    if value is None:
        return None
    try:
        if float(value) > 0:
            return float(value)
    except (TypeError, ValueError):
        pass
    raise ImproperlyConfigured(f"Redis {name} is a number of seconds more than 0 (or None), not {value!r}.")


def database_number(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"A Redis database is a number, not {value!r}.") from None


class Connection:
    """One socket to one Redis, opened when first asked and again after it failed, was closed by
    Redis while idle (a restart, an idle timeout), or the process forked."""

    def __init__(
        self,
        url,
        *,
        socket_connect_timeout=None,
        socket_timeout=None,
        db=0,
        username=None,
        password=None,
        ssl_cert_reqs="required",
        ssl_ca_certs=None,
        **unknown,
    ):
        options = address_options(url)
        self.path = options.pop("path", None)
        self.host, self.port = options.pop("host", None), int(options.pop("port", 0))
        self.tls = options.pop("tls", False)
        self.db = database_number(options.pop("db", db))
        self.username = options.pop("username", None) or username
        self.password = options.pop("password", None) or password
        self.verify_certificate = checks_certificate(options.pop("ssl_cert_reqs", ssl_cert_reqs))
        self.certificate_authorities = options.pop("ssl_ca_certs", ssl_ca_certs)
        self.connect_timeout = seconds("socket_connect_timeout", options.pop("socket_connect_timeout", socket_connect_timeout))
        self.timeout = seconds("socket_timeout", options.pop("socket_timeout", socket_timeout))
        if unknown or options:
            raise ImproperlyConfigured(f"Redis options not understood: {', '.join(sorted({*unknown, *options}))}.")
        self.socket = None
        self.pid = None
        self.tls_context = None  # made with the first TLS connection

    def ask(self, *commands):
        """Each command's reply, in order, from one round trip. Any failure closes the connection
        (the next command opens a new one) and raises RedisFailed; so does an error reply."""
        if not self.usable():
            self.connect()
        return self.exchange(commands)

    def exchange(self, commands):
        try:
            self.socket.sendall(b"".join(hiredis.pack_command(command) for command in commands))
            replies = [self.reply() for _ in commands]
        except (OSError, hiredis.HiredisError, RedisFailed) as error:
            self.close()
            raise RedisFailed(f"{type(error).__name__}: {error}") from error
        except BaseException:
            self.close()  # cut off mid-command (an interrupt): its reply is never read as the next one's
            raise
        for reply in replies:
            if isinstance(reply, hiredis.ReplyError):
                raise RedisFailed(str(reply))
        return replies

    def usable(self):
        """Open, in this process, with nothing waiting to be read: a socket Redis closed is
        readable (at its end). Over TLS, what is waiting may be the protocol's own records
        (session tickets): read, they leave nothing, and the connection is as good as new."""
        if self.socket is None or self.pid != os.getpid():
            return False
        if (self.waiting.poll(0) or (self.tls and self.socket.pending())) and not self.only_tls_records_waiting():
            self.close()
            return False
        return True

    def only_tls_records_waiting(self):
        if not self.tls:
            return False
        self.socket.setblocking(False)
        try:
            self.socket.recv(1)  # b"": Redis closed it; a byte: something no command asked for
        except ssl.SSLWantReadError:
            return True
        except OSError:
            return False
        finally:
            if self.socket is not None:
                self.socket.settimeout(self.timeout)
        return False

    def connect(self):
        self.socket = opened = None  # one opened before a fork: the parent's stays open
        try:
            if self.path:
                opened = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                opened.settimeout(self.connect_timeout)
                opened.connect(self.path)
            else:
                opened = socket.create_connection((self.host, self.port), timeout=self.connect_timeout)
                opened.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                if self.tls:
                    opened = self.made_tls_context().wrap_socket(opened, server_hostname=self.host)
            opened.settimeout(self.timeout)
        except OSError as error:
            if opened is not None:
                opened.close()
            raise RedisFailed(f"{type(error).__name__}: {error}") from error
        self.socket, self.pid, self.reader = opened, os.getpid(), hiredis.Reader()
        self.waiting = select.poll()
        self.waiting.register(opened, select.POLLIN)
        greeting = [("SELECT", self.db)] if self.db else []
        if self.password:
            greeting.insert(0, ("AUTH", *filter(None, [self.username, self.password])))
        try:
            if greeting:
                self.exchange(greeting)
        except RedisFailed:
            self.close()  # not left open unauthenticated, or on the wrong database
            raise

    def made_tls_context(self):
        if self.tls_context is None:
            self.tls_context = ssl.create_default_context(cafile=self.certificate_authorities)
            if not self.verify_certificate:
                self.tls_context.check_hostname = False
                self.tls_context.verify_mode = ssl.CERT_NONE
        return self.tls_context

    def reply(self):
        while (reply := self.reader.gets()) is False:
            data = self.socket.recv(READ_SIZE)
            if not data:
                raise RedisFailed("Redis closed the connection.")
            self.reader.feed(data)
        return reply

    def close(self):
        if self.socket is not None and self.pid == os.getpid():
            self.socket.close()
        self.socket = None
