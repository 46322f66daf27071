"""Messaging is spine: it knows the service lines only through the care team and the
registries, never by importing them."""

import ast
from pathlib import Path

import continuum.messaging

LINES = {"interventions", "coaching", "casemanagement", "referrals"}


def test_messaging_imports_no_service_line():
    root = Path(continuum.messaging.__file__).parent
    found = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            found += [
                f"{path.relative_to(root)}: {name}" for name in names if name.split(".")[0] in LINES
            ]
    assert not found
