"""The API fuzzing gate runs on its own (`pytest tests/fuzz -m fuzz`, a step of .ci/run),
not inside the ordinary suite: it sends thousands of requests."""

from pathlib import Path

import pytest


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    selected = "fuzz" in (config.getoption("-m") or "")
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.fuzz)
            if not selected:
                item.add_marker(pytest.mark.skip(reason="API fuzzing runs with -m fuzz"))
