"""Rendering the weekly report: papermill runs the notebook, nbconvert writes offline HTML.

The notebook and the HTML template ship inside the package (found with ``importlib.resources``),
so a wheel install renders a report exactly like a checkout does. Every parameter, path and the
account are checked before the kernel starts or any folder is created.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
from contextlib import ExitStack
from importlib import resources
from pathlib import Path

import nbformat

from roi.errors import ParameterError, RoiError
from roi.report.context import safe_output_dir, validate_account
from roi.timeframe import parse_iso_week, validate_tz

__all__ = ["render_report", "default_notebook", "export_html", "extract_figures", "write_pdf", "find_chromium"]

NOTEBOOK = "weekly-report.ipynb"
_IMG = re.compile(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"')
# The kernel's "running over TCP without encryption" notice is for remote kernels; this one is
# local and short-lived, and its shutdown notice ("KeyboardInterrupt caught") is no error: the
# kernel application logs nothing; failures still surface as papermill errors.
_KERNEL_ARGS = ["--IPKernelApp.log_level=CRITICAL"]


def default_notebook() -> Path:
    """Return the report notebook shipped in the package: ``roi/report/weekly-report.ipynb``.

    >>> default_notebook().name
    'weekly-report.ipynb'
    """
    path = Path(str(resources.files("roi.report").joinpath(NOTEBOOK)))
    if not path.exists():  # pragma: no cover - a broken install
        raise RoiError(f"{path} not found; reinstall roi or pass the report notebook with --notebook")
    return path


def _templates(stack: ExitStack) -> Path:
    return Path(stack.enter_context(resources.as_file(resources.files("roi.report").joinpath("templates"))))


def export_html(notebook: nbformat.NotebookNode, *, title: str) -> str:
    """Export the executed notebook as one self-contained HTML page: no code, no network references."""
    from nbconvert import HTMLExporter

    with ExitStack() as stack:
        exporter = HTMLExporter(template_name="roi_offline", extra_template_basedirs=[str(_templates(stack))],
                                exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
        notebook = nbformat.from_dict(notebook)
        notebook.metadata["title"] = title
        # Section warnings reach the data-quality section as sentences (roi.report.show); anything
        # else a library printed to stderr (paths, source lines) stays in report.ipynb, off the page.
        for cell in notebook.cells:
            if "outputs" in cell:
                cell.outputs = [o for o in cell.outputs if not (o.get("output_type") == "stream"
                                                                and o.get("name") == "stderr")]
        body, _ = exporter.from_notebook_node(notebook)
    return body


def extract_figures(notebook: nbformat.NotebookNode, folder: Path) -> list[Path]:
    """Write every figure of the notebook to ``folder/figure-NN.png``; return the paths.

    The figures are the PNG outputs, and PNGs embedded in its HTML outputs.
    """
    paths = []

    def write(b64: str) -> None:
        path = folder / f"figure-{len(paths) + 1:02d}.png"
        path.write_bytes(base64.b64decode(b64))
        paths.append(path)

    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data:
                write(data["image/png"])
            html = data.get("text/html", "")
            for b64 in _IMG.findall("".join(html) if isinstance(html, list) else html):
                write(b64)
    return paths


def _check_notebook(notebook: str | Path | None) -> Path:
    source = Path(notebook) if notebook else default_notebook()
    if not source.is_file():
        raise ParameterError(f"notebook={str(source)!r}: no such file")
    try:
        nbformat.read(source, as_version=4)
    except (json.JSONDecodeError, UnicodeDecodeError, nbformat.reader.NotJSONError, OSError, AttributeError,
            KeyError, TypeError, ValueError) as exc:
        raise ParameterError(f"notebook={str(source)!r}: not a Jupyter notebook ({type(exc).__name__})") from None
    return source


def _check_out(out: str | Path) -> Path:
    base = Path(out)
    if base.exists() and not base.is_dir():
        raise ParameterError(f"out={str(out)!r}: exists and is not a folder")
    parent = base if base.exists() else next((p for p in base.resolve().parents if p.exists()), None)
    if parent is None or not os.access(parent, os.W_OK):
        raise ParameterError(f"out={str(out)!r}: cannot write there")
    return base


def find_chromium() -> str | None:
    """Find a headless-capable Chromium or Chrome: its path, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def write_pdf(html_path: str | Path, pdf_path: str | Path | None = None, *, timeout: float = 120) -> Path:
    """Print the report to PDF with headless Chromium (the page's print stylesheet applies).

    Raises
    ------
    RoiError
        When no Chromium is installed, or it fails.
    """
    exe = find_chromium()
    if exe is None:
        raise RoiError("--pdf needs headless Chromium or Chrome on PATH (e.g. apt install chromium); "
                       "the HTML report was written")
    html_path = Path(html_path).resolve()
    pdf = Path(pdf_path) if pdf_path else html_path.with_suffix(".pdf")
    profile = html_path.parent / ".chromium-profile"
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}", "--no-pdf-header-footer",
           f"--print-to-pdf={pdf.resolve()}", html_path.as_uri()]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise RoiError(f"Chromium did not finish the PDF within {timeout:.0f} s") from None
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    if proc.returncode != 0 or not pdf.exists():
        raise RoiError(f"Chromium could not print the PDF (exit {proc.returncode})")
    return pdf


def render_report(store: str | Path, *, account: str, week: str | None = None, tz: str = "UTC",
                  out: str | Path = "reports", notebook: str | Path | None = None,
                  home_country: str | None = None, brand_domain: str = "", service_handles: str = "",
                  progress: bool = False, pdf: bool = False) -> Path:
    """Execute the weekly report for ``account`` and ``week`` and write it under ``out``.

    Writes ``out/<account>/<week>/report.ipynb``, ``report.html`` (self-contained, opens
    offline), ``figure-NN.png`` and, with ``pdf=True``, ``report.pdf``; returns the HTML path.

    Raises
    ------
    ParameterError
        For a bad account, week, time zone, output folder or notebook, or an account the store
        does not know -- all checked before the kernel starts or any folder is created.
    StoreError
        If the store is missing or unreadable.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    import roi
    from roi.accounts import account_id_for
    from roi.report.context import default_week

    handle = validate_account(account)
    validate_tz(tz)
    if week:
        parse_iso_week(week)
    source = _check_notebook(notebook)
    _check_out(out)
    store = Path(store).resolve()
    ds = roi.load(store)
    account_id_for(ds.accounts, handle)  # an unknown account fails here, before any folder or kernel
    if not week:
        week = default_week(ds, tz=tz)
    folder = safe_output_dir(out, handle, week)
    if pdf and find_chromium() is None:
        raise ParameterError("--pdf needs headless Chromium or Chrome on PATH (e.g. apt install chromium)")
    folder.mkdir(parents=True, exist_ok=True)
    executed_path = folder / "report.ipynb"
    params = {"account": handle, "week": week, "store": str(store), "tz": tz,
              "home_country": home_country or "", "brand_domain": brand_domain or "",
              "service_handles": service_handles or "",
              "export_dir": str(folder)}
    try:
        pm.execute_notebook(str(source), str(executed_path), parameters=params, cwd=str(folder),
                            kernel_name="python3", progress_bar=progress, report_mode=True,
                            extra_arguments=_KERNEL_ARGS)
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
    html = export_html(executed, title=f"Weekly report: @{handle}, {week}")
    html_path = folder / "report.html"
    tmp = html_path.with_suffix(".html.tmp")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, html_path)
    if pdf:
        write_pdf(html_path)
    return html_path
