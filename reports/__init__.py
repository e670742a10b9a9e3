"""The PMQA category 3 evidence report: its dict shape (`reports.shape`) and its renderers (XLSX, PDF, CSV).

Renderers are pure: the report dict in, bytes out. The report builder (from stored data) lives beside them.
"""
from reports.formats.csv_files import render_csv, render_csv_zip
from reports.formats.pdf import ThaiFontMissing, render_pdf
from reports.formats.xlsx import render_xlsx
from reports.tables import ReportShapeError

__all__ = ["ReportShapeError", "ThaiFontMissing", "render_csv", "render_csv_zip", "render_pdf", "render_xlsx"]
