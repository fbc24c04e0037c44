"""The site's cache without CACHE_URL: Django's file cache, remembering what it last read of each
small entry (the versions a cached page is checked against on every request), so that reading
one again costs a read of its file, not decompressing and unpickling it too.

In its own module, apart from cache_backends.py: a site on files never loads the Redis client."""

import dataclasses
import datetime
import io
import os
import pickle
import tempfile
import time
import zlib

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache


class RememberingFileCache(FileBasedCache):
    """Django's file cache, keeping what each small file held when last read. A file is still
    read on every get, and its bytes compared with those remembered: the same bytes give the
    same value, so the answer is exactly the file's, whoever wrote it and however often. Only
    values nobody can change in place are kept (a caller may change a list it was given)."""

    REMEMBERED_BYTES = 1024  # the versions read on every request (compressed); not whole pages
    REMEMBERED_VALUES = 256
    FILE_NAMES = 1000

    def __init__(self, dir, params):
        super().__init__(dir, params)
        self._remembered = {}  # file name: (its bytes, when it expires, the value)
        self._file_names = {}  # (key, version): file name

    def get(self, key, default=None, version=None):
        name = self._file_name(key, version)
        try:
            with open(name, "rb") as file:
                stored = file.read(self.REMEMBERED_BYTES + 1)
        except FileNotFoundError:
            return default
        if len(stored) > self.REMEMBERED_BYTES:
            return super().get(key, default, version)
        remembered = self._remembered.get(name)
        if remembered is None or remembered[0] != stored:
            remembered = self._read(name, stored)
        _, expires, value = remembered
        if expires is not None and expires < time.time():
            self._delete(name)
            return default
        return value

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        """Only if there is none, at once: Django's checks, then writes, so a copy read from the
        database before a save could replace the newer one written after it in between."""
        self._createdir()
        name = self._key_to_file(key, version)
        self._cull()
        descriptor, written = tempfile.mkstemp(dir=self._dir)
        try:
            with open(descriptor, "wb") as file:
                self._write_content(file, timeout, value)
            for _ in range(2):
                try:
                    os.link(written, name)  # fails if the file is there
                    return True
                except FileExistsError:
                    if self.has_key(key, version):  # an expired one is removed, and tried again
                        return False
                except OSError:  # a file system without hard links
                    return super().add(key, value, timeout, version)
            return False
        finally:
            os.remove(written)

    def _read(self, name, stored):
        # The site's own files, read as FileBasedCache reads them: the expiry, then the value.
        content = io.BytesIO(stored)
        expires = pickle.load(content)  # noqa: S301
        read = stored, expires, pickle.loads(zlib.decompress(content.read()))  # noqa: S301
        if unchangeable(read[2]):
            if len(self._remembered) >= self.REMEMBERED_VALUES:
                self._remembered.clear()
            self._remembered[name] = read
        return read

    def _file_name(self, key, version):
        name = self._file_names.get((key, version))
        if name is None:
            if len(self._file_names) >= self.FILE_NAMES:
                self._file_names.clear()
            name = self._file_names[key, version] = self._key_to_file(key, version)
        return name


def unchangeable(value):
    """Whether nobody can change the value in place: then each caller may be handed the same one."""
    if isinstance(value, (str, bytes, int, float, type(None), datetime.date, datetime.time, datetime.timedelta)):
        return True
    if isinstance(value, (tuple, frozenset)):
        return all(map(unchangeable, value))
    if dataclasses.is_dataclass(value) and value.__dataclass_params__.frozen:
        return all(unchangeable(getattr(value, field.name)) for field in dataclasses.fields(value))
    return False
