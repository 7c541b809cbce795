"""The plan-comparison report: figures and one self-contained HTML page from run folders.

``build_report(paths)`` reads finished runs (``summary.json``, ``timeseries.csv`` and, when
records were kept, ``customers.csv`` and ``staff_timeline.csv``), draws the figures as PNG
and SVG, and writes ``report.html`` with the figures embedded, so the page opens anywhere
without a network. matplotlib is imported only when a figure is drawn.
"""

from __future__ import annotations

from .build import Report, build_report
from .runs import ReportInputError

__all__ = ["Report", "ReportInputError", "build_report"]
