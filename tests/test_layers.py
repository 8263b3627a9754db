"""The floor plan of the code: the apps stand in layers (reports → actions → meetings), no app's
modules import each other in a circle, and every import across apps stands at the top of its module,
where a reader sees it."""

import ast
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
APPS = ("meetings", "actions", "reports")


def test_import_contracts_are_kept():
    """import-linter reads the contracts in pyproject.toml; none lists an ignored import."""
    run = subprocess.run(
        [str(pathlib.Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_contracts_ignore_nothing():
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    assert {c["id"] for c in contracts} >= {"layers", "acyclic"}
    assert all(not c.get("ignore_imports") for c in contracts)


def _imports_inside_functions(path: pathlib.Path, app: str):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.ImportFrom) and inner.level == 0 and inner.module:
                names = [inner.module]
            elif isinstance(inner, ast.Import):
                names = [alias.name for alias in inner.names]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in APPS and top != app:
                    yield f"{path.relative_to(ROOT)}:{inner.lineno} imports {name}"


@pytest.mark.parametrize("app", APPS)
def test_imports_across_apps_stand_at_the_top(app):
    found = [
        hit
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
        for hit in _imports_inside_functions(path, app)
    ]
    assert found == []
