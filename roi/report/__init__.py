"""The weekly report: parameters validated, sections computed by roi, rendered by papermill."""

from roi.report.context import ReportContext, default_week, prepare, safe_output_dir, validate_account
from roi.report.display import Section, show
from roi.report.render import default_notebook, export_html, extract_figures, render_report

__all__ = [
    "ReportContext",
    "default_week",
    "Section",
    "show",
    "prepare",
    "render_report",
    "export_html",
    "extract_figures",
    "default_notebook",
    "safe_output_dir",
    "validate_account",
]
