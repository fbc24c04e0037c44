"""Comparing what the database holds with what a file says, in the plain values files hold."""

from procedures.models import CodeSystem

from .kinds import FORMER, IMAGE_FIELDS
from .reading import FileProblem, normal_line_endings, typed


def snapshot(kind, obj):
    """An object's content as the plain values a file holds."""
    values = {}
    for key in kind.fields:
        if key in kind.many or key == FORMER:
            values[key] = sorted(getattr(obj, key).values_list("slug", flat=True))
        elif key in kind.links:
            linked = getattr(obj, key)
            values[key] = linked.slug if linked else ""
        elif key in kind.rows:
            keys = kind.rows[key][1]
            values[key] = [{k: readable(item, k) for k in keys} for item in getattr(obj, key).all()]
        elif key in IMAGE_FIELDS:
            values[key] = getattr(obj, key).name or ""
        else:
            values[key] = getattr(obj, key)
    # Line endings are not part of the text: a file holds LF, whatever the browser sent.
    values.update({field: normal_line_endings(getattr(obj, field)) for field in kind.texts})
    return values


def readable(item, key):
    """A row's value as a file shows it: coding systems by name (ICD-10-CM), not OID."""
    return item.get_system_display() if key == "system" else getattr(item, key)


def unchanged(current, wanted):
    """True when every value the file gives is what the database already has."""
    return all(current[key] == value for key, value in wanted.items())


def comparable(kind, values):
    values = {**values, **{key: values[key] or "" for key in kind.links if key in values}}
    for key in kind.rows.keys() & values.keys():
        model, keys = kind.rows[key]
        values[key] = [
            {k: CodeSystem(typed(model, k, item.get(k))).label if k == "system" else typed(model, k, item.get(k)) for k in keys}
            for item in as_list(values[key])
            if isinstance(item, dict)
        ]
    for key in (kind.many.keys() | {FORMER}) & values.keys():
        values[key] = sorted(str(slug) for slug in as_list(values[key]))
    return values


def as_list(value):
    if value is None or value == "":
        return []
    if not isinstance(value, list):
        raise FileProblem(f"expected a list (lines starting with “- ”), got {value!r}")
    return value
