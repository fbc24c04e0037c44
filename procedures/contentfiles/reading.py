"""Reading one content file: YAML front matter, then the body (a procedure's body is its
sections, each starting with its "## <heading>" line).

The body is the editor's text as it is, line for line: only blank lines before it and
whitespace after it are not part of it. Text a body cannot hold exactly (one starting with a
blank line or ending in whitespace) is given in the front matter instead, under its field's
name (`bio: |` …, `risks: "…"`). A procedure's sections are marked by headings with the
number of # its first line uses: `## What it is`, or `# What it is` (or ###, …) when the
sections' own text has lines starting with "## ".
"""

import re

import yaml
from django.core.exceptions import ValidationError
from django.utils import translation

from procedures.models import CodeSystem, Procedure

from .kinds import SECTION_BY_HEADING


class FileProblem(Exception):
    pass


SLUG = re.compile(r"[-a-zA-Z0-9_]+")
SECTION_MARKER = re.compile(r"#+ ")
LINE_ENDING = re.compile(r"\r\n?")
FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)^---[ \t]*\r?$\n?(.*)\Z", re.DOTALL | re.MULTILINE)


class ContentYAMLLoader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so the model field reads them and names itself if one is wrong."""


ContentYAMLLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_file(kind, path, language=None):
    """The field values a content file holds, read by the model's own fields (a translation's
    sections may be headed in its language)."""
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
    unknown = set(map(str, metadata)) - set(kind.fields) - set(kind.texts)
    if unknown:
        raise FileProblem(f"unknown field {sorted(unknown)[0]!r}; the fields are: {', '.join(kind.fields)}")
    values = {
        key: metadata[key] if key in kind.relations else typed(kind.model, key, metadata[key])
        for key in (*kind.fields, *kind.texts)
        if key in metadata
    }
    if kind.sections:
        for key, text in split_sections(match[2], language).items():
            if key in values:
                raise FileProblem(f"section {key!r} is given twice: in the front matter (`{key}:`) and in the body")
            values[key] = text
        values = {key: "" for key in kind.texts} | values
    elif kind.body:
        text = trimmed(match[2])
        if kind.body in values and text:
            raise FileProblem(f"the text is given twice: in the front matter (`{kind.body}:`) and after it")
        values.setdefault(kind.body, text)
    elif match[2].strip():
        raise FileProblem("has text after the front matter, but this kind of file takes none")
    return values


def trimmed(text):
    """A body as a file holds it: the editor's lines as they are, without blank lines before
    them or whitespace after them."""
    lines = text.split("\n")
    start = next((number for number, line in enumerate(lines) if line.strip()), len(lines))
    return "\n".join(lines[start:]).rstrip()


def normal_line_endings(text):
    """Text with its lines ending in LF, as a file read on any system gives it (CR LF is what browsers send)."""
    return LINE_ENDING.sub("\n", text)


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
    except (TypeError, ValueError):  # a list or a mapping where a date or a number belongs
        raise FileProblem(f"field {key!r}: {value!r} is not a {model_field.description.lower()}") from None


def section_titles(language=None):
    """The sections' headings as files write them: in English, or as the site shows them in a
    translation's language."""
    if language is None:
        return [(field, title) for field, title, _ in Procedure.SECTIONS]
    with translation.override(language):
        return [(field, translation.gettext(title)) for field, title, _ in Procedure.SECTIONS]


def split_sections(body, language=None):
    """A procedure body's sections by field. The first line is a section's heading (`## What it is`,
    see Procedure.SECTIONS; in a translation, that heading in its language or in English); every
    line starting with as many # and a space is one, and every other line belongs to the section
    above it, as it is (an editor's own headings included)."""
    sections, current, lines, marker = {}, None, [], None
    titles = section_titles(language)
    by_heading = SECTION_BY_HEADING | {title.lower(): field for field, title in titles}

    def finish():
        if current:
            sections[current] = trimmed("\n".join(lines))

    for number, line in enumerate(body.split("\n"), start=1):
        if marker is None and line.strip():
            if not (found := SECTION_MARKER.match(line)):
                raise FileProblem(f"body line {number}: text before the first section heading (## What it is)")
            marker = found[0]
        if marker is not None and line.startswith(marker):
            finish()
            current, lines = by_heading.get(line[len(marker) :].strip().lower()), []
            if current is None:
                expected = "; ".join(f"{marker}{title}" for _, title in titles)
                raise FileProblem(
                    f"unknown section heading {line.strip()!r}; the sections are: {expected}. "
                    f"A heading of your own inside a section needs more (or fewer) # than {marker.strip()!r}"
                )
            if current in sections:
                raise FileProblem(f"section {line.strip()!r} appears twice")
            sections[current] = ""
        elif marker is not None:
            lines.append(line)
    finish()
    return sections
