"""The command line: argument parsing and exit codes only."""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import io
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from soundlint import __version__, ci_options
from soundlint.arguments import UsageError, path_value, positive
from soundlint.paths import JSON_ESCAPE, lookup_error, one_line

if TYPE_CHECKING:
    from soundlint.api import Result, Session

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED, EXIT_TERMINATED = 128 + signal.SIGINT, 128 + signal.SIGTERM
EXIT_BROKEN_PIPE = 128 + signal.SIGPIPE
"""What a shell reports for a command killed by SIGPIPE, as ``cat`` or ``grep`` would be
under ``| head``; not 1, which would say "findings"."""


class Terminated(BaseException):
    """SIGTERM, raised in the main thread as Ctrl-C raises KeyboardInterrupt, so that what
    is under way is wound up (workers killed, measurements kept) before exiting 143."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated


def _catch_sigterm() -> Any:
    """Turn SIGTERM into Terminated; return the handler it replaces (None when not in the
    main thread, where Python cannot set handlers)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _on_sigterm)


class OutputError(Exception):
    """The report could not be written to stdout (a full disk): one line on stderr, exit
    status 2, not the status of a report nobody got."""


class _Stdout:
    """``sys.stdout`` whose write errors are an OutputError; a reader gone away
    (BrokenPipeError) stays what it is."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        with _output_errors():
            return self._stream.write(text)

    def flush(self) -> None:
        with _output_errors():
            self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def _output_errors() -> Iterator[None]:
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as error:
        raise OutputError(f"cannot write to stdout: {error.strerror or error}") from None


class _HelpFormatter(argparse.HelpFormatter):
    """Help that states each option's default, unless its text already does."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if action.default in (None, False, [], argparse.SUPPRESS) or "default" in text:
            return text
        return f"{text} (default: %(default)s)"


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line and an exception, not an exit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def main(argv: Sequence[str] | None = None) -> int:
    """Run soundlint; return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    _escape_what_stdout_cannot_encode()
    stdout = sys.stdout
    sys.stdout = _Stdout(stdout)
    try:
        return _run(argv)
    except OutputError as error:
        _silence_stdout()
        print(f"soundlint: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        sys.stdout = stdout


def _run(argv: list[str]) -> int:
    if argv in (["--version"], ["-V"]):
        try:
            print(_version(), flush=True)
        except BrokenPipeError:
            return _reader_gone()
        return EXIT_CLEAN
    from soundlint.config import ConfigError

    previous = _catch_sigterm()
    try:
        status = _main(argv)
        sys.stdout.flush()
        return status
    except Terminated:
        return EXIT_TERMINATED
    except BrokenPipeError:
        return _reader_gone()
    except (UsageError, ConfigError) as error:
        print(f"soundlint: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except OutputError:
        raise
    except Exception as error:
        print(
            f"soundlint: internal error: {type(error).__name__}: {error} "
            "(please report this as a bug)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _version() -> str:
    return f"soundlint {__version__}\n{_audio_kernel()}"


def _audio_kernel() -> str:
    """Which audio kernel runs (the numpy fallback is several times slower), and why."""
    from soundlint.audio import kernel_choice

    return f"audio kernel: {kernel_choice.choose().describe()}"


def _escape_what_stdout_cannot_encode() -> None:
    """Characters that stdout's encoding lacks (an ASCII or Latin-1 locale) escaped rather
    than an error (stderr escapes them already)."""
    if isinstance(sys.stdout, io.TextIOWrapper):  # not when replaced by something else
        sys.stdout.reconfigure(errors=JSON_ESCAPE)


def _reader_gone() -> int:
    """The reader of stdout went away (``| head -1``): stop quietly."""
    _silence_stdout()
    return EXIT_BROKEN_PIPE


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush of what could not be
    written does not fail again on its way out."""
    with contextlib.suppress(OSError, ValueError):  # a stdout without a descriptor
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _main(argv: list[str]) -> int:
    from soundlint import api

    early, rest = _early_parser().parse_known_args(argv)
    positional = [arg for arg in rest if not arg.startswith("-")][1:]  # past the command
    paths = [Path(arg) for arg in positional if os.path.lexists(arg) and not lookup_error(arg)]
    session = api.start(paths, config_path=early.config, plugin_args=early.plugin)
    parser = _build_parser(session)
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        listing = ", ".join(args.commands)
        raise UsageError(f"a command is required ({listing}); see --help")
    return int(args.handler(args, session))


def _early_parser() -> argparse.ArgumentParser:
    """What must be known before plugins load: -p, --config, and the paths being checked
    (options that take a value are listed so that their values are not taken for paths)."""
    parser = _Parser(add_help=False)
    parser.add_argument("-p", dest="plugin", action="append", default=[], type=_plugin_value)
    parser.add_argument("--config", type=_config_value)
    for option in _VALUE_OPTIONS:
        parser.add_argument(*option.split())
    return parser


_VALUE_OPTIONS = (
    "--output",
    "--output-format",
    "--select",
    "--extend-select",
    "--ignore",
    "--profile",
    "--color",
    "-j --jobs",
    *ci_options.VALUE_OPTIONS,
)


def _common() -> _Parser:
    common = _Parser(add_help=False)
    common.add_argument(
        "-p",
        dest="plugin",
        action="append",
        default=[],
        type=_plugin_value,
        metavar="NAME",
        help="load a plugin module; -p no:NAME disables the plugin NAME",
    )
    common.add_argument(
        "--config", type=_config_value, metavar="PATH", help="use this configuration file"
    )
    return common


class _VersionAction(argparse.Action):
    """argparse's version action, without its reflowing of the text into one line."""

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        print(_version(), flush=True)
        parser.exit()


def _build_parser(session: Session) -> argparse.ArgumentParser:
    from soundlint.config import DEFAULT_PROFILE, profile_names

    common = _common()
    parser = _Parser(
        prog="soundlint",
        description="Lint AudioStack sound design templates and scripts.",
        parents=[common],
    )
    parser.add_argument(
        "-V",
        "--version",
        action=_VersionAction,
        nargs=0,
        help="show the version and which audio kernel runs, and exit",
    )
    commands = parser.add_subparsers(
        title="commands",
        parser_class=_Parser,
        metavar="COMMAND",
        help="`soundlint COMMAND --help` explains each",
    )
    formats = sorted(session.plugins.report_formats())

    check = commands.add_parser(
        "check", parents=[common], help="lint templates and scripts", description=_CHECK_HELP
    )
    check.add_argument(
        "paths",
        nargs="*",
        type=path_value,
        metavar="PATH",
        help="directories, or files standing for their template (default: the current directory)",
    )
    check.add_argument(
        "--output-format", choices=formats, default="text", help="the report's format"
    )
    check.add_argument(
        "--output",
        type=path_value,
        metavar="FILE",
        help="write the report to FILE (- for stdout); a regular file is replaced atomically, "
        "a device, FIFO or /dev/stdout written through",
    )
    check.add_argument(
        "--select",
        metavar="CODES",
        help="run only these rules: comma-separated codes or prefixes, or ALL; "
        "wins over the configuration file",
    )
    check.add_argument(
        "--extend-select", metavar="CODES", help="run these rules too (codes or prefixes)"
    )
    check.add_argument(
        "--ignore", metavar="CODES", help="do not run these rules (codes or prefixes)"
    )
    check.add_argument(
        "--profile",
        type=_profile_value,
        metavar="NAME|PATH",
        help=f"the rule profile: {', '.join(profile_names())}, or a TOML file "
        f"(default: the configuration's, else {DEFAULT_PROFILE})",
    )
    check.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="name every template in the closing lines of the text report (which are ready, "
        "which are not); without it, only when they are few",
    )
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    check.add_argument("--strict", action="store_true", help="warnings fail the run too")
    check.add_argument(
        "--color",
        choices=["auto", "always", "never"],
        default="auto",
        help="colour the text report; auto: on a terminal, unless NO_COLOR is set",
    )
    check.add_argument(
        "-j",
        "--jobs",
        type=positive,
        metavar="N",
        help="audio analysis processes (default: one per CPU, once there is enough audio to repay "
        "starting them)",
    )
    check.add_argument(
        "--no-cache", action="store_true", help="measure audio afresh, and keep nothing"
    )
    check.add_argument(
        "--pre-commit",
        action="store_true",
        help="run as the pre-commit hook: also check what the files the commit deletes "
        "affect; files that are neither a template's nor a script pass quietly",
    )
    check.add_argument(
        "--no-respect-gitignore",
        dest="respect_gitignore",
        action="store_false",
        default=None,
        help="also discover files that git ignores (.gitignore, .git/info/exclude)",
    )
    ci_options.add_check_options(check)
    session.plugins.add_options(check)
    check.set_defaults(handler=_check)

    rules = commands.add_parser("rules", parents=[common], help="list the rules")
    rules.add_argument(
        "--output-format", choices=["text", "json"], default="text", help="the listing's format"
    )
    rules.set_defaults(handler=_rules)

    rule = commands.add_parser("rule", parents=[common], help="explain one rule")
    rule.add_argument("code", metavar="CODE", help="a rule code or name")
    rule.set_defaults(handler=_rule)

    plugins = commands.add_parser("plugins", parents=[common], help="list the loaded plugins")
    plugins.set_defaults(handler=_plugins)

    ci_options.add_clean_command(commands, [common])
    session.plugins.add_commands(commands, [common])
    for name, package in PLUGIN_COMMANDS.items():
        if name not in commands.choices:
            # A stand-in taking any arguments, to say which package brings the command.
            stub = commands.add_parser(name, help=f"(needs {package})", prefix_chars="\0")
            stub.add_argument("arguments", nargs="*", help="the command's own arguments")
            stub.set_defaults(handler=functools.partial(_not_installed, name, package))
    parser.set_defaults(commands=tuple(commands.choices))
    return parser


# Commands that separate distributions provide, by the package that brings each.
PLUGIN_COMMANDS = {"upload": "soundlint-audiostack"}
# How to install a package not yet on PyPI.
_INSTALL = {
    "soundlint-audiostack": (
        "plugins/soundlint-audiostack (from a clone of soundlint; it is not on PyPI yet)"
    )
}


def _not_installed(name: str, package: str, args: argparse.Namespace, session: Session) -> int:
    install = _INSTALL.get(package, package)
    raise UsageError(f"`soundlint {name}` needs the {package} package: pip install {install}")


_CHECK_HELP = (
    "Lint the templates and scripts under each PATH (default: the current directory). "
    "Files, as pre-commit passes them, stand for their whole template and the scripts bound "
    "to it. Exit status: 0 clean, 1 findings, 2 usage or configuration error."
)


def _plugin_value(value: str) -> str:
    """An argparse type: -p's module, or no:NAME, not empty."""
    if not value.removeprefix("no:"):
        raise argparse.ArgumentTypeError(f"an empty plugin name ({value!r})")
    return value


def _profile_value(value: str) -> str:
    """An argparse type: --profile's name or path, not empty."""
    if not value:
        raise argparse.ArgumentTypeError("an empty value names no profile")
    return value


def _config_value(value: str) -> Path:
    """An argparse type: --config's path, which must be one the system can look up."""
    path = path_value(value)
    problem = lookup_error(path)
    if problem is not None:
        raise argparse.ArgumentTypeError(f"{one_line(value)}: {problem}")
    return path


def _selection(value: str | None) -> tuple[str, ...] | None:
    """--select's codes; none at all (as `--select "$RULES"` with RULES unset gives) would run
    nothing and pass, so it is refused."""
    if value is None:
        return None
    codes = _codes(value)
    if not codes:
        raise UsageError(
            f"--select {value!r} names no rule; give codes or prefixes (or ALL), "
            "or leave the option out"
        )
    return codes


def _codes(value: str | None) -> tuple[str, ...]:
    return tuple(code.strip() for code in (value or "").split(",") if code.strip())


def _check(args: argparse.Namespace, session: Session) -> int:
    from soundlint import api, readiness
    from soundlint.config import Overrides
    from soundlint.model import Severity
    from soundlint.report import Report

    for path in args.paths:
        problem = lookup_error(path)
        if problem is not None:
            raise UsageError(f"{one_line(str(path))}: {problem}")
        if not os.path.lexists(path):
            raise UsageError(f"path not found: {one_line(str(path))}")
    formats = session.plugins.report_formats()
    if args.output_format not in formats:
        raise UsageError(f"no plugin provides the output format '{args.output_format}'")
    overrides = Overrides(
        profile=args.profile,
        select=_selection(args.select),
        extend_select=_codes(args.extend_select),
        ignore=_codes(args.ignore),
        respect_gitignore=args.respect_gitignore,
        cache_dir=ci_options.cache_dir(args),
    )
    known = ci_options.prepare(args)
    paths = list(args.paths)
    if args.pre_commit:
        from soundlint import git

        paths += git.deleted_files(Path.cwd())
        if not paths:
            return EXIT_CLEAN
    with _collecting_rarely():
        result = api.check(
            paths,
            config_path=args.config,
            overrides=overrides,
            plugin_args=args.plugin,
            args=args,
            sessions=[session],
        )
    for warning in result.warnings:
        print(f"soundlint: warning: {warning}", file=sys.stderr)
    if args.write_baseline is not None:
        ci_options.write_baseline(result, args.write_baseline)
        return EXIT_CLEAN
    shown = ci_options.without_baseline(result, known)
    report = Report.of(
        shown,
        color=_use_color(args),
        baselined=len(result.diagnostics) - len(shown.diagnostics),
        readiness=readiness.of(result.runs, Path.cwd(), strict=args.strict),
        verbose=args.verbose,
    )
    if not (args.pre_commit or args.force_exclude):
        _warn_unchecked(args.paths, shown)
    _write(ci_options.render(report, args, formats[args.output_format]), args.output)
    if args.exit_zero:
        return EXIT_CLEAN
    failing = report.count(Severity.ERROR) + (report.count(Severity.WARNING) if args.strict else 0)
    return EXIT_FINDINGS if failing else EXIT_CLEAN


@contextlib.contextmanager
def _collecting_rarely() -> Iterator[None]:
    """Run the cycle collector every 50 000 new objects instead of 700. A check builds many
    small objects that live until it ends; at the default pace the collector walks them over
    and over (a tenth of a large header-only run) and frees nothing."""
    thresholds = gc.get_threshold()
    gc.set_threshold(50_000, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def _warn_unchecked(paths: list[Path], result: Result) -> None:
    """Say so on stderr when a path named outright (or the current directory), or the whole
    run, checked nothing; for a directory, from where the `scripts` patterns are matched."""
    for path in paths or [Path(".")]:
        if path.is_file() and not result.owns(path.resolve()):
            print(
                f"soundlint: warning: {path} is in no template and not a script "
                "(see `scripts` in the configuration); not checked",
                file=sys.stderr,
            )
        elif path.is_dir() and not result.covers(path.resolve()):
            root = result.root_of(path.resolve())
            relative = f" (relative to the project root {root})" if root else ""
            print(
                f"soundlint: warning: {path} holds no template and no file the `scripts` "
                f"patterns select{relative}; not checked",
                file=sys.stderr,
            )
    if not result.checked_templates and not result.checked_scripts:
        print("soundlint: warning: no templates or scripts found to check", file=sys.stderr)


def _use_color(args: argparse.Namespace) -> bool:
    if args.color != "auto":
        return bool(args.color == "always")
    if not _to_stdout(args.output) or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty() or bool(os.environ.get("FORCE_COLOR"))


def _to_stdout(output: Path | None) -> bool:
    return output is None or str(output) == "-"


def _write(text: str, output: Path | None) -> None:
    """Print, or write to ``output``: a regular file atomically (a reader never sees half a
    report), anything else (a device, a FIFO, /dev/stdout) straight through."""
    if output is None or _to_stdout(output):
        sys.stdout.write(text)
        return
    from soundlint import atomic

    try:
        atomic.write_output(output, text)
    except OSError as error:
        raise UsageError(f"cannot write {output}: {error.strerror}") from None


def _rules(args: argparse.Namespace, session: Session) -> int:
    rules = session.plugins.rules()
    if args.output_format == "json":
        listing = [
            {
                "code": rule.code,
                "name": rule.name,
                "severity": rule.severity.value,
                "enabled_by_default": rule.enabled_by_default,
                "summary": rule.summary,
                "options": rule.defaults,
            }
            for rule in rules.values()
        ]
        print(json.dumps(listing, indent=2))
        return EXIT_CLEAN
    for rule in rules.values():
        default_off = "" if rule.enabled_by_default else " (off by default)"
        print(
            f"{rule.code:<7} {rule.name:<28} {rule.severity.value:<8} {rule.summary}{default_off}"
        )
    return EXIT_CLEAN


def _rule(args: argparse.Namespace, session: Session) -> int:
    rules = session.plugins.rules()
    wanted = args.code.upper() if args.code.upper() in rules else args.code
    for rule in rules.values():
        if wanted in (rule.code, rule.name):
            print(rule.doc, end="")
            return EXIT_CLEAN
    raise UsageError(f"unknown rule '{args.code}'; `soundlint rules` lists them")


def _plugins(args: argparse.Namespace, session: Session) -> int:
    session.plugins.rules()
    for info in session.plugins.loaded:
        print(f"{info.name:<16} {info.version or '-':<10} {info.module:<32} ({info.source})")
    print(_audio_kernel())
    for error in session.plugins.errors:
        print(f"{error.code} {error.message}")
    return EXIT_FINDINGS if session.plugins.errors else EXIT_CLEAN
