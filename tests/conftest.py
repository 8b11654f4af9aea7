"""Markers by folder: `pytest -m "not web and not slack"` skips the suites that start servers."""

from pathlib import Path

import pytest

MARKED_FOLDERS = ("conversation", "web", "slack", "advisor", "cluster", "outage")


def pytest_collection_modifyitems(config, items):
    for item in items:
        folder = Path(item.fspath).parent.name
        if folder in MARKED_FOLDERS:
            item.add_marker(getattr(pytest.mark, folder))
