import shutil

import pytest

from procedures.contentfiles import CONTENT_DIR


@pytest.fixture
def content(tmp_path):
    """A copy of the shipped content/ to change freely."""
    return shutil.copytree(CONTENT_DIR, tmp_path / "content")
