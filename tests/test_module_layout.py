"""The shape issue 23 asked of ingest and the store: steps in modules of readable size, one-way imports."""

from __future__ import annotations

import ast
from pathlib import Path

import roi

ROOT = Path(roi.__file__).parent


def _runtime_imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every import a module makes when it runs (not under ``if TYPE_CHECKING``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, list[str]]] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.ImportFrom) and child.module:
                found.append((child.module, [a.name for a in child.names]))
            elif isinstance(child, ast.Import):
                found.extend((a.name, []) for a in child.names)
            visit(child)

    visit(tree)
    return found


def test_ingest_is_a_short_sequence_of_steps_and_no_module_is_long_without_saying_why():
    assert len((ROOT / "io" / "ingest.py").read_text().splitlines()) < 300
    for path in sorted(ROOT.rglob("*.py")):
        lines = path.read_text().splitlines()
        if len(lines) > 600:
            assert "Why one module" in (ast.get_docstring(ast.parse("\n".join(lines))) or ""), path.name


def test_store_ingest_and_dask_import_no_private_names_no_cycle_and_not_the_package():
    steps = ["ingest", "sources", "reading", "accounting"]
    modules = [ROOT / "store.py", *ROOT.glob("store_*.py"), ROOT / "dask_engine.py", ROOT / "io" / "_base.py",
               *(ROOT / "io" / f"{s}.py" for s in steps)]
    for path in modules:
        for module, names in _runtime_imports(path):
            assert module != "roi", f"{path.name} imports the roi package (import from the module itself)"
            if module.startswith("roi.store") or module in ("roi.tables", "roi.dask_engine"):
                assert not [n for n in names if n.startswith("_")], f"{path.name}: private names from {module}"
    assert not [m for m, _ in _runtime_imports(ROOT / "dask_engine.py") if m == "roi.store"]  # store -> dask only
    assert "pandas_type" in roi.tables.__all__
