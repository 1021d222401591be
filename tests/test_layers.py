"""Data flows one way (DESIGN.md): a module imports only from its own step or the steps above it.

io → store → analyses → plots → report / cli. The test reads every module's imports (absolute
and relative) with ast, so it cannot be fooled by an import that happens to be lazy.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import networkx as nx
import pytest
from conftest import REPO

ROI = REPO / "roi"
# The step of each top-level part of roi; a module may import parts of its own step or a lower one.
BASE = {"roi.errors", "roi.timeframe", "roi.text", "roi.tables", "roi.figures", "roi._version"}
STEPS = {
    **dict.fromkeys(BASE, 0),
    "roi.io": 1, "roi.store": 1, "roi.store_files": 1, "roi.store_merge": 1, "roi.store_spill": 1,
    "roi.dask_engine": 1,
    "roi.accounts": 1, "roi.plotting": 4,
    **dict.fromkeys(["roi.graph", "roi.geo", "roi.cascades", "roi.engagement", "roi.abtest",
                     "roi.listening", "roi.ledger"], 3),
    "roi.report": 5, "roi.cli": 5, "roi.sample": 5, "roi.__main__": 5, "roi": 5,
}
PLOT_MODULES = {"plots", "maps"}  # step 4: inside an analysis package, but above the analyses


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_only(tree: ast.Module) -> set[int]:
    """ids of the import nodes under ``if TYPE_CHECKING:`` (annotations only: never run)."""
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return skip


def _lazy(tree: ast.Module) -> set[int]:
    """ids of the nodes inside functions: imports there run on a call, not on import."""
    return {id(n) for f in ast.walk(tree) if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
            for stmt in f.body for n in ast.walk(stmt)}


def _imports(path: Path, *, eager_only: bool = False) -> set[str]:
    """The roi modules ``path`` imports (``from pkg import mod`` names ``pkg.mod``, not ``pkg``)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_only(tree) | (_lazy(tree) if eager_only else set())
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "roi"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "roi":
                continue
            submodules = {f"{target}.{a.name}" for a in node.names} & set(MODULES)
            found |= submodules if submodules and len(submodules) == len(node.names) else {target} | submodules
    return found


def _part(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def _step(module: str) -> int:
    if module.split(".")[-1] in PLOT_MODULES:
        return 4
    return STEPS.get(_part(module), STEPS.get(module, 5))


MODULES = {_module_name(p): p for p in sorted(ROI.rglob("*.py"))}


@functools.cache
def _graph(eager_only: bool = False) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(MODULES)
    for name, path in MODULES.items():
        for target in _imports(path, eager_only=eager_only):
            while target not in MODULES and "." in target:  # `from roi.x import name` names a function
                target = target.rpartition(".")[0]
            if target in MODULES and target != name:
                graph.add_edge(name, target)
    return graph


def test_every_part_of_roi_has_a_step():
    unknown = {_part(m) for m in MODULES} - set(STEPS)
    assert not unknown, f"add {sorted(unknown)} to STEPS in this test: which step of the data flow is it?"


@pytest.mark.parametrize("module", sorted(m for m, p in MODULES.items() if p.name != "__init__.py"))
def test_imports_go_one_way(module):
    # A package's __init__ is its list of public names (plots included), not a step of its own.
    upward = sorted(t for t in _graph().successors(module)
                    if _step(t) > _step(module) and _part(t) != _part(module) or
                    (_step(t) == 4 and _step(module) == 3))
    assert not upward, f"{module} (step {_step(module)}) imports a later step: {upward}"


def test_no_import_cycles():
    # between modules, through the imports that run when a module is imported (a lazy import
    # inside a function is the usual way to break one, and runs only on a call)
    cycles = list(nx.simple_cycles(_graph(eager_only=True)))
    assert not cycles, f"import cycles in roi: {cycles}"


def _is_module(name: str) -> bool:
    """A roi module, Python or compiled (``roi.io._linescan`` is built from ``_linescan.c``)."""
    return name in MODULES or any((REPO / name.replace(".", "/")).parent.glob(name.rpartition(".")[2] + ".c"))


def _private_names_used(path: Path) -> list[str]:
    """``_name``s ``path`` takes from another roi module: imported, or read as ``module._name``.

    A private *module* (``roi.io._json``) may be imported within its package: its public names are
    the package's internals. A private *name* is its module's own business.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules, found = set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("roi"):
            for alias in node.names:
                if _is_module(f"{node.module}.{alias.name}"):
                    modules.add(alias.asname or alias.name)
                elif alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"from {node.module} import {alias.name}")
        elif isinstance(node, ast.Import):
            modules |= {(a.asname or a.name).split(".")[0] for a in node.names if a.name.startswith("roi")}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in modules and not _is_module(ast.unparse(node)):
                found.append(ast.unparse(node))
    return found


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_private_name_crosses_modules(module):
    """A helper two modules need is public in its home module, documented and tested there."""
    used = _private_names_used(MODULES[module])
    assert not used, f"{module} uses private names of other modules: {used}"


def test_the_private_name_check_can_fail(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from roi.engagement.model import _fit\nimport roi.store\nroi.store._lock_path\n"
                   "from roi.io import _linescan\n")
    assert _private_names_used(bad) == ["from roi.engagement.model import _fit", "roi.store._lock_path"]
