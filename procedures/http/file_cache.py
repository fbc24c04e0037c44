"""The site's cache without CACHE_URL: Django's file cache, remembering what it last read of each
small entry (the versions a cached page is checked against on every request), so that reading
one again costs a read of its file, not decompressing and unpickling it too.

In its own module, apart from cache_backends.py: a site on files never loads the Redis client."""

import dataclasses
import io
import pickle
import time
import zlib

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
    if isinstance(value, (str, bytes, int, float, type(None))):
        return True
    if isinstance(value, (tuple, frozenset)):
        return all(map(unchangeable, value))
    return dataclasses.is_dataclass(value) and value.__dataclass_params__.frozen
