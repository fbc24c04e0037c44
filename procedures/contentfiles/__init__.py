"""content/: the site's words as Markdown files with YAML front matter, one file per object.

Each folder holds one kind of object (kinds.py lists the front-matter fields; the README has
the table): content/<folder>/<slug>.md. A procedure's body is its sections, each starting
with its "## <heading>" line. Translations sit beside their source, as
content/<folder>/<slug>.<language>.md, with their provenance in the front matter
(translations.py); files in a language the site does not have are skipped, and reported.

`load_content` puts the files into the database: all or nothing, matching by slug.
Editors' admin changes are never overwritten silently: a file is applied only when
it changed since it was last loaded, and a page changed both in the admin and in its
file is reported as a conflict (unless `force`). `dump_content` writes the database
back in the same format.
"""

from .dumping import dump_content
from .kinds import CONTENT_DIR, KINDS
from .loading import ContentError, LoadReport, load_content
from .reading import FileProblem, read_file

__all__ = ["CONTENT_DIR", "KINDS", "ContentError", "FileProblem", "LoadReport", "dump_content", "load_content", "read_file"]
