"""Rendering the weekly report: papermill runs the notebook, nbconvert writes offline HTML."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import nbformat

from roi.errors import ParameterError, RoiError
from roi.report.context import safe_output_dir, validate_account
from roi.timeframe import parse_iso_week, validate_tz

__all__ = ["render_report", "default_notebook", "export_html", "extract_figures"]

TEMPLATES = Path(__file__).resolve().parent / "templates"


def default_notebook() -> Path:
    """The report notebook of this checkout: ``notebooks/weekly-report.ipynb``."""
    path = Path(__file__).resolve().parents[2] / "notebooks" / "weekly-report.ipynb"
    if not path.exists():
        raise RoiError(f"{path} not found; pass the report notebook with --notebook")
    return path


def export_html(notebook: nbformat.NotebookNode, *, title: str) -> str:
    """The executed notebook as one self-contained HTML page: no code, no network references."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="roi_offline", extra_template_basedirs=[str(TEMPLATES)],
                            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    notebook = nbformat.from_dict(notebook)
    notebook.metadata["title"] = title
    body, _ = exporter.from_notebook_node(notebook)
    return body


def extract_figures(notebook: nbformat.NotebookNode, folder: Path) -> list[Path]:
    """Write every PNG output of the notebook to ``folder/figure-NN.png``; return the paths."""
    paths = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data:
                path = folder / f"figure-{len(paths) + 1:02d}.png"
                path.write_bytes(base64.b64decode(data["image/png"]))
                paths.append(path)
    return paths


def render_report(store: str | Path, *, account: str, week: str | None = None, tz: str = "UTC",
                  out: str | Path = "reports", notebook: str | Path | None = None,
                  home_country: str | None = None, brand_domain: str = "", service_handles: str = "",
                  progress: bool = False) -> Path:
    """Execute the weekly report for ``account`` and ``week`` and write it under ``out``.

    Writes ``out/<account>/<week>/report.ipynb``, ``report.html`` (self-contained, opens
    offline) and ``figure-NN.png``; returns the path of the HTML file.

    Raises
    ------
    ParameterError
        For a bad account, week or time zone (checked before anything runs), or an account the
        store does not know (checked by the notebook's validation cell).
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    handle = validate_account(account)
    validate_tz(tz)
    store = Path(store).resolve()
    if week:
        parse_iso_week(week)
    else:
        import roi
        from roi.report.context import default_week

        week = default_week(roi.load(store), tz=tz)
    folder = safe_output_dir(out, handle, week)
    source = Path(notebook) if notebook else default_notebook()
    folder.mkdir(parents=True, exist_ok=True)
    executed_path = folder / "report.ipynb"
    params = {"account": handle, "week": week, "store": str(store), "tz": tz,
              "home_country": home_country or "", "brand_domain": brand_domain or "",
              "service_handles": service_handles or "",
              "export_dir": str(folder)}
    try:
        pm.execute_notebook(str(source), str(executed_path), parameters=params, cwd=str(source.parent),
                            kernel_name="python3", progress_bar=progress, report_mode=True)
    except PapermillExecutionError as exc:
        # A ParameterError raised by the notebook's validation cell is the user's mistake: one line.
        if exc.ename in ("ParameterError", "StoreError"):
            raise ParameterError(exc.evalue) from None
        raise RoiError(f"the report notebook failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue} "
                       f"(see {executed_path})") from None
    executed = nbformat.read(executed_path, as_version=4)
    for old in folder.glob("figure-*.png"):
        old.unlink()
    extract_figures(executed, folder)
    html = export_html(executed, title=f"roi weekly report — @{handle}, {week}")
    html_path = folder / "report.html"
    tmp = html_path.with_suffix(".html.tmp")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, html_path)
    return html_path
