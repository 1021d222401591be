"""The weekly report: parameters validated, sections computed by roi, rendered by papermill."""

from roi.report.context import (
                                ReportContext,
                                Scope,
                                comma_list,
                                default_week,
                                prepare,
                                safe_output_dir,
                                scope,
                                validate_account,
                                validate_country,
)
from roi.report.display import Section, show
from roi.report.render import default_notebook, export_html, extract_figures, render_report

__all__ = [
    "Scope",
    "scope",
    "comma_list",
    "validate_country",
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
