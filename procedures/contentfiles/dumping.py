"""Writing the database back to content/ in the format the loader reads (see reading.py)."""

import re
from itertools import chain, count
from pathlib import Path

import yaml

from .kinds import KINDS
from .reading import section_titles, trimmed
from .snapshots import snapshot
from .translations import is_dumped_file


def dump_content(directory):
    """Write every object and translation to `directory`, removing files of ones that no longer
    exist (but not translations in other languages, or of kinds whose translations are not
    loaded yet)."""
    directory = Path(directory)
    written = []
    for kind in KINDS:
        folder = directory / kind.folder
        folder.mkdir(parents=True, exist_ok=True)
        wanted = set()
        for file_kind in filter(None, (kind, kind.translations)):
            for obj in file_kind.all():
                path = folder / file_kind.file_name(obj)
                path.write_text(render_file(file_kind, obj), encoding="utf-8", newline="\n")
                wanted.add(path)
                written.append(path)
        for stale in {path for path in folder.glob("*.md") if is_dumped_file(kind, path)} - wanted:
            stale.unlink()
    return written


def render_file(kind, obj):
    values = snapshot(kind, obj)
    texts = {key: values.pop(key) for key in kind.texts}
    # Text a body would not give back exactly goes, exactly, into the front matter.
    exact = {key: ExactText(text) for key, text in texts.items() if trimmed(text) != text}
    plain = {key: text for key, text in texts.items() if key not in exact and text}
    if kind.sections:
        marker = section_marker(plain.values())
        titles = section_titles(obj.language if kind.source else None)  # a translation's: in its language
        body = "\n\n".join(f"{marker}{title}\n\n{plain[key]}" for key, title in titles if key in plain)
    else:
        body = plain.get(kind.body, "")
    front = yaml.dump({**values, **exact}, Dumper=ContentYAMLDumper, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{front}---\n{body}\n" if body else f"---\n{front}---\n"


def section_marker(texts):
    """How the sections' headings start: "## " unless a line of their text starts so; then the
    fewest # that start none of their lines."""
    taken = {len(found[1]) for text in texts for found in re.finditer(r"^(#+) ", text, re.MULTILINE)}
    return "#" * next(number for number in chain((2, 1), count(3)) if number not in taken) + " "


class ExactText(str):
    """A body given in the front matter: written as a block of lines where YAML allows it."""


class ContentYAMLDumper(yaml.SafeDumper):
    pass


def represent_text(dumper, text):
    # PyYAML reads a NEL (U+0085) written unquoted back as a line break, so such text is quoted.
    style = '"' if any(mark in text for mark in "\x85\u2028\u2029") else None
    if style is None and isinstance(text, ExactText) and "\n" in text:
        style = "|"
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(text), style=style)


ContentYAMLDumper.add_representer(str, represent_text)
ContentYAMLDumper.add_representer(ExactText, represent_text)
