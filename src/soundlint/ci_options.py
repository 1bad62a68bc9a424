"""The check command's CI options: statistics, baseline, shards, cache control, progress.

cli.py adds these options and calls the functions here at a few points of a run; the work is
done by the modules they name (statistics, baseline, shards, cache, progress).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from soundlint.report import Formatter, Report

VALUE_OPTIONS = ()
"""Options that take a value, for cli's early parser (so their values are not taken for paths)."""


def add_check_options(check: argparse.ArgumentParser) -> None:
    """Add the CI options to ``soundlint check``."""
    check.add_argument(
        "--statistics",
        action="store_true",
        help="print how many findings each rule has, most first, instead of the findings",
    )


def render(report: Report, args: argparse.Namespace, formatter: Formatter) -> str:
    """The report in the chosen format, or with --statistics the counts per rule."""
    if not args.statistics:
        return formatter(report)
    from soundlint import statistics
    from soundlint.cli import UsageError

    if args.output_format not in ("text", "json"):
        raise UsageError("--statistics prints text or json, not " + args.output_format)
    return statistics.render(report, args.output_format)
