"""The computing packages touch no ORM: import-linter (pyproject.toml) checks the project's own
modules; this checks django.db, which import-linter can only forbid as the whole of Django."""

import ast
from pathlib import Path

import pytest

CLAIMS = Path(__file__).resolve().parents[1] / "claims"
COMPUTING = ("extraction", "similarity", "checks", "exports")


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", COMPUTING)
def test_computing_packages_import_no_orm(package: str) -> None:
    offending = {
        str(path.relative_to(CLAIMS.parent)): sorted(
            name for name in _imported_modules(path) if name.startswith("django.db")
        )
        for path in sorted((CLAIMS / package).rglob("*.py"))
    }
    assert {path: names for path, names in offending.items() if names} == {}
