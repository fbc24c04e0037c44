"""Reading one content file: YAML front matter, then the body (a procedure's body is its
sections, each starting with its "## <heading>" line)."""

import re

import yaml
from django.core.exceptions import ValidationError

from procedures.models import CodeSystem, Procedure

from .kinds import SECTION_BY_HEADING


class FileProblem(Exception):
    pass


SLUG = re.compile(r"[-a-zA-Z0-9_]+")
FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)^---[ \t]*\r?$\n?(.*)\Z", re.DOTALL | re.MULTILINE)


class ContentYAMLLoader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so the model field reads them and names itself if one is wrong."""


ContentYAMLLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_file(kind, path):
    """The field values a content file holds, read by the model's own fields."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise FileProblem("is not UTF-8 text") from None
    match = FRONT_MATTER.match(text)
    if not match:
        raise FileProblem("has no front matter: it must start with a line of three hyphens (---) and close with another")
    try:
        metadata = yaml.load(match[1], Loader=ContentYAMLLoader) or {}  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as error:
        raise FileProblem(f"front matter is not valid YAML: {error}") from None
    if not isinstance(metadata, dict):
        raise FileProblem("front matter must be `field: value` lines")
    unknown = set(map(str, metadata)) - set(kind.fields)
    if unknown:
        raise FileProblem(f"unknown field {sorted(unknown)[0]!r}; the fields are: {', '.join(kind.fields)}")
    values = {
        key: metadata[key] if key in kind.relations else typed(kind.model, key, metadata[key])
        for key in kind.fields
        if key in metadata
    }
    if kind.sections:
        values.update(split_sections(match[2]))
    elif kind.body:
        values[kind.body] = match[2].strip()
    elif match[2].strip():
        raise FileProblem("has text after the front matter, but this kind of file takes none")
    return values


def typed(model, key, value):
    if key == "system":
        system = CodeSystem.from_name(str(value))
        if system is None:
            raise FileProblem(f"field 'system': unknown coding system {value!r}; use one of {', '.join(CodeSystem.labels)}")
        return system.value
    model_field = model._meta.get_field(key)
    if value is None:
        return None if model_field.null else ""
    try:
        return model_field.to_python(value)
    except ValidationError as error:
        raise FileProblem(f"field {key!r}: {' '.join(error.messages)}") from None


def split_sections(body):
    """A procedure body: "## Heading" lines name the sections (see Procedure.SECTIONS)."""
    sections = {field: "" for field, _, _ in Procedure.SECTIONS}
    current, lines, seen = None, [], set()

    def finish():
        if current:
            sections[current] = "\n".join(lines).strip()

    for number, line in enumerate(body.splitlines(), start=1):
        if line.startswith("## "):
            finish()
            heading = line[3:].strip()
            current = SECTION_BY_HEADING.get(heading.lower())
            if current is None:
                expected = "; ".join(f"## {title}" for _, title, _ in Procedure.SECTIONS)
                raise FileProblem(f"unknown section heading {line.strip()!r}; the sections are: {expected}")
            if current in seen:
                raise FileProblem(f"section {line.strip()!r} appears twice")
            seen.add(current)
            lines = []
        elif current is None and line.strip():
            raise FileProblem(f"body line {number}: text before the first section heading (## What it is)")
        else:
            lines.append(line)
    finish()
    return sections
