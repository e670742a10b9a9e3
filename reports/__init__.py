"""The PMQA category 3 evidence report: its dict shape (`reports.shape`) and its renderers (XLSX, PDF, CSV).

Renderers are pure: the report dict in, bytes out. The report builder (from stored data) lives beside them. The
renderers load on first use, so the worker's job that keeps the report's facts (`reports.facts`) loads no web stack.
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

_RENDERERS = {"render_csv": "reports.formats.csv_files", "render_csv_zip": "reports.formats.csv_files",
              "render_pdf": "reports.formats.pdf", "ThaiFontMissing": "reports.formats.pdf",
              "render_xlsx": "reports.formats.xlsx", "ReportShapeError": "reports.tables"}

__all__ = ["ReportShapeError", "ThaiFontMissing", "render_csv", "render_csv_zip", "render_pdf", "render_xlsx"]


def __getattr__(name: str) -> Any:
    if name in _RENDERERS:
        return getattr(import_module(_RENDERERS[name]), name)
    raise AttributeError(f"module 'reports' has no attribute {name!r}")
