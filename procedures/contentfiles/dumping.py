"""Writing the database back to content/ in the format the loader reads."""

from pathlib import Path

import yaml

from procedures.models import Procedure

from .kinds import KINDS
from .snapshots import snapshot


def dump_content(directory):
    """Write every object to `directory`, removing files of objects that no longer exist."""
    directory = Path(directory)
    written = []
    for kind in KINDS:
        folder = directory / kind.folder
        folder.mkdir(parents=True, exist_ok=True)
        wanted = set()
        for obj in kind.model.objects.order_by("slug"):
            path = folder / f"{obj.slug}.md"
            path.write_text(render_file(kind, obj), encoding="utf-8")
            wanted.add(path)
            written.append(path)
        for stale in set(folder.glob("*.md")) - wanted:
            stale.unlink()
    return written


def render_file(kind, obj):
    values = snapshot(kind, obj)
    if kind.sections:
        sections = [(title, values.pop(field)) for field, title, _ in Procedure.SECTIONS]
        body = "\n\n".join(f"## {title}\n\n{text}" for title, text in sections if text)
    else:
        body = values.pop(kind.body) if kind.body else ""
    front = yaml.safe_dump(values, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{front}---\n{body}\n" if body else f"---\n{front}---\n"
