"""Every notebook roi ships (notebooks/ and the report's notebook in the package) is committed clean
and thin, with one parameters cell of literals first (issue 23): one test over all of them, so a new
notebook is checked without anyone remembering to add a test."""

from __future__ import annotations

import ast

import nbformat
import pytest

from tests.conftest import REPO

NOTEBOOKS = sorted([*(REPO / "notebooks").glob("*.ipynb"), *(REPO / "roi" / "report").glob("*.ipynb")])


def _literal(node: ast.AST) -> bool:
    """A constant, a signed number, or a list/tuple of them (what papermill can inject)."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        return isinstance(node.operand, ast.Constant) and isinstance(node.operand.value, int | float)
    if isinstance(node, ast.List | ast.Tuple):
        return all(_literal(e) for e in node.elts)
    return False


def test_every_notebook_is_found():
    names = {p.name for p in NOTEBOOKS}
    assert "weekly-report.ipynb" in names and len([p for p in NOTEBOOKS if p.parent.name == "notebooks"]) >= 7


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_clean_thin_and_parameterised(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.get("kernelspec", {}).get("name") == "roi", "the kernel is roi's (make lab installs it)"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "no code cell"
    dirty = [i for i, c in enumerate(code) if c.outputs or c.execution_count is not None]
    assert not dirty, f"code cells {dirty} were committed with outputs or execution counts"
    tagged = [i for i, c in enumerate(code) if "parameters" in c.metadata.get("tags", [])]
    assert tagged == [0], f"the first code cell, and only it, must be tagged 'parameters' (tagged: {tagged})"
    for node in ast.parse(code[0].source).body:
        assert isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets), (
            f"the parameters cell holds only assignments: {ast.unparse(node)}")
        assert _literal(node.value), f"the parameters cell holds only literals: {ast.unparse(node)}"
    for i, cell in enumerate(code):
        tree = ast.parse(cell.source)
        defined = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)]
        assert not defined, f"code cell {i} defines a function or class: logic belongs in roi, tested"


def test_the_check_catches_a_dirty_notebook(tmp_path):
    """The checks can fail: a notebook with an output, a def and a derived parameter is refused."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "roi", "display_name": "Python (roi)", "language": "python"}
    params = nbformat.v4.new_code_cell('store = "x"\nweeks = 2 * 3')
    params.metadata["tags"] = ["parameters"]
    body = nbformat.v4.new_code_cell("def helper():\n    return 1")
    body.outputs = [nbformat.v4.new_output("stream", text="1\n")]
    nb.cells = [params, body]
    path = tmp_path / "dirty.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(AssertionError, match="outputs"):
        test_notebook_is_clean_thin_and_parameterised(path)
    body.outputs = []
    nbformat.write(nb, path)
    with pytest.raises(AssertionError, match="only literals"):
        test_notebook_is_clean_thin_and_parameterised(path)
    params.source = 'store = "x"'
    nbformat.write(nb, path)
    with pytest.raises(AssertionError, match="defines a function"):
        test_notebook_is_clean_thin_and_parameterised(path)


# What the shared preamble does, so no notebook repeats it (and binds a handle or picks a week its own way).
PREAMBLE_CALLS = {"load", "account_id_for", "validate_tz", "week_bounds", "default_week", "parse_iso_week"}


def _calls(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            f = node.func
            names.add(f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", ""))
    return names


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.parent.name == "notebooks"], ids=lambda p: p.name)
def test_notebook_starts_from_the_shared_preamble(path):
    """Every analysis notebook opens the store through ``roi.report.scope`` and repeats none of it."""
    code = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    assert "scope" in _calls(code[1]), "the second code cell must call roi.report.scope(store, account=..., tz=...)"
    repeated = sorted(set().union(*map(_calls, code)) & PREAMBLE_CALLS)
    assert not repeated, f"{repeated}: roi.report.scope does this once for every notebook"


def test_the_preamble_check_catches_a_notebook_of_its_own(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('store = "x"'),
                nbformat.v4.new_code_cell("import roi\nds = roi.load(store)")]
    path = tmp_path / "own.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(AssertionError, match="second code cell"):
        test_notebook_starts_from_the_shared_preamble(path)
    nb.cells[1].source = "import roi.report\nscope = roi.report.scope(store, account='a')\nds = roi.load(store)"
    nbformat.write(nb, path)
    with pytest.raises(AssertionError, match="load"):
        test_notebook_starts_from_the_shared_preamble(path)
