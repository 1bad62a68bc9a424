"""The check command's CI options (statistics, baseline, shards, cache, progress, hook runs)
and the clean command.

cli.py adds these options and calls the functions here at a few points of a run; the work is
done by the modules they name (statistics, baseline, shards, cache, progress).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from soundlint.api import Result, Session
    from soundlint.report import Formatter, Report
    from soundlint.shards import Shard

CACHE_DIR_VARIABLE = "SOUNDLINT_CACHE_DIR"
VALUE_OPTIONS = ("--baseline", "--write-baseline", "--shard", "--cache-dir")
"""Options that take a value, for cli's early parser (so their values are not taken for paths)."""
CLEAN_LEFT_SHOWN = 5
"""How many of the names ``clean`` left it lists."""


def add_check_options(check: argparse.ArgumentParser) -> None:
    """Add the CI options to ``soundlint check``."""
    from soundlint.arguments import path_value

    check.add_argument(
        "--statistics",
        action="store_true",
        help="print how many findings each rule has, most first, instead of the findings",
    )
    check.add_argument(
        "--baseline",
        type=path_value,
        metavar="FILE",
        help="report only findings not recorded in FILE (see --write-baseline)",
    )
    check.add_argument(
        "--write-baseline",
        type=path_value,
        metavar="FILE",
        help="record every finding of this run in FILE and exit 0",
    )
    check.add_argument(
        "--shard",
        type=_shard,
        metavar="I/N",
        help="check only the I-th of N parts of the templates (and their scripts), for CI matrices",
    )
    _add_cache_dir(check)
    check.add_argument(
        "--force-exclude",
        action="store_true",
        help="pass over quietly the files named outright that are excluded, or in no template "
        "and not scripts (as pre-commit hands over every file its pattern matches)",
    )
    check.set_defaults(progress="auto")
    check.add_argument(
        "--progress",
        action="store_const",
        const="always",
        help="show the progress of the audio analysis on stderr even when it is not a terminal",
    )
    check.add_argument(
        "--no-progress",
        dest="progress",
        action="store_const",
        const="never",
        help="never show progress (by default: on a terminal, when the analysis takes a while)",
    )


def _add_cache_dir(parser: argparse.ArgumentParser) -> None:
    from soundlint.arguments import path_value

    parser.add_argument(
        "--cache-dir",
        type=path_value,
        metavar="DIR",
        help=f"where measurements are cached (default: ${CACHE_DIR_VARIABLE}, else the cache-dir "
        "setting, else .soundlint_cache at the project root)",
    )


def cache_dir(args: argparse.Namespace) -> Path | None:
    """--cache-dir, or else $SOUNDLINT_CACHE_DIR (relative to the current directory)."""
    directory = args.cache_dir or os.environ.get(CACHE_DIR_VARIABLE)
    return Path(directory).absolute() if directory else None


def add_clean_command(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    """``soundlint clean``: remove what soundlint wrote in the project's cache directory."""
    clean = commands.add_parser(
        "clean", parents=parents, help="remove what soundlint wrote in the cache directory"
    )
    _add_cache_dir(clean)
    clean.set_defaults(handler=_clean)


def _clean(args: argparse.Namespace, session: Session) -> int:
    from soundlint import cachedir

    settings = session.settings()
    directory = cachedir.location(cache_dir(args) or settings.cache_dir)
    cleaned = cachedir.clean(directory, settings.root)  # CacheError: a ConfigError, exit 2
    if cleaned is None:
        print(f"No cache at {directory}")
    elif cleaned.left:
        shown = ", ".join(cleaned.left[:CLEAN_LEFT_SHOWN])
        more = len(cleaned.left) - CLEAN_LEFT_SHOWN
        print(
            f"Removed soundlint's files from {directory}; left what soundlint did not write: "
            f"{shown}{f' and {more} more' if more > 0 else ''}"
        )
    elif cleaned.removed_folders:
        folders = ", ".join(map(str, cleaned.removed_folders))
        print(f"Removed the cache at {directory}, and the folders made for it: {folders}")
    elif cleaned.removed_directory:
        print(f"Removed the cache at {directory}")
    else:
        print(f"Removed the cache at {directory}; the directory stays: soundlint did not make it")
    return 0


def prepare(args: argparse.Namespace) -> frozenset[str] | None:
    """Before the run, so that a mistake fails at once: refuse options that do not go together,
    and return the fingerprints of --baseline."""
    if args.write_baseline is not None and args.shard is not None:
        raise _usage_error("--write-baseline records the whole project; run it without --shard")
    if args.statistics and args.output_format not in ("text", "json"):
        raise _usage_error("--statistics prints text or json, not " + args.output_format)
    if args.baseline is None:
        return None
    from soundlint import baseline

    try:
        return baseline.read(args.baseline)
    except baseline.BaselineError as error:
        raise _usage_error(str(error)) from None


def write_baseline(result: Result, path: Path) -> None:
    """--write-baseline: record the run's findings; say so on stderr."""
    from soundlint import baseline

    try:
        baseline.write(path, result.diagnostics, result.root)
    except baseline.BaselineError as error:
        raise _usage_error(str(error)) from None
    count = len(result.diagnostics)
    print(
        f"soundlint: recorded {count} finding{'' if count == 1 else 's'} in {path}",
        file=sys.stderr,
    )


def without_baseline(result: Result, known: frozenset[str] | None) -> Result:
    """The result less the findings recorded in the baseline."""
    if known is None:
        return result
    from soundlint import baseline

    new = baseline.new_findings(result.diagnostics, result.root, known)
    return replace(result, diagnostics=new)


def render(report: Report, args: argparse.Namespace, formatter: Formatter) -> str:
    """The report in the chosen format, or with --statistics the counts per rule."""
    if not args.statistics:
        return formatter(report)
    from soundlint import statistics

    return statistics.render(report, args.output_format)


def _shard(text: str) -> Shard:
    from soundlint import shards

    return shards.parse(text)


def _usage_error(message: str) -> Exception:
    from soundlint.arguments import UsageError

    return UsageError(message)
