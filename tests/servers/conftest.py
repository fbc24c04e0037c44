import shutil
import tempfile
from pathlib import Path

import pytest

from .running_site import CollectedStatic


@pytest.fixture(scope="session")
def collected_static():
    directory = Path(tempfile.mkdtemp(prefix="mesocare-static-"))
    static = CollectedStatic(directory)
    try:
        yield static
    finally:
        static.process.stop()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, for `logs_on_failure`."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def logs_on_failure(request):
    """Call it with a Site: if the test fails, the site's logs are printed (pytest shows them
    under "Captured stdout teardown")."""
    sites = []
    yield sites.append
    report = getattr(request.node, "report_call", None)
    if report is None or report.failed:
        for site in sites:
            print(site.logs())
