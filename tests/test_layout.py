"""The code's layout is part of its documentation: the README's map matches the tree, and no
module grows past what one reading takes in."""

import re
from pathlib import Path

from django.conf import settings

APP = Path(settings.BASE_DIR) / "procedures"
LISTED_MODULES = re.compile(r"`(\w+\.py)`")


def map_rows():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    for line in readme.splitlines():
        if match := re.match(r"\| `procedures/([\w/]+)/` \| (.*) \|$", line):
            yield match[1], set(LISTED_MODULES.findall(match[2]))


def test_the_readme_map_names_every_module_of_every_folder():
    rows = dict(map_rows())
    packages = {path.parent.relative_to(APP).as_posix() for path in APP.glob("*/__init__.py")} - {"migrations"}
    assert packages <= {folder.split("/")[0] for folder in rows}, "a folder of procedures/ is missing from the README map"
    for folder, listed in rows.items():
        on_disk = {path.name for path in (APP / folder).glob("*.py")} - {"__init__.py"}
        if folder in {"management/commands", "templatetags"}:
            continue  # named by what they do elsewhere in the README
        assert listed == on_disk, f"procedures/{folder}/: the README lists {sorted(listed)}, the folder has {sorted(on_disk)}"


def test_no_module_is_longer_than_one_reading():
    long = {
        str(path.relative_to(APP)): lines
        for path in APP.rglob("*.py")
        if "migrations" not in path.parts and (lines := len(path.read_text().splitlines())) > 420
    }
    assert long == {}
