# mypy: disable-error-code="empty-body"
"""Every hook a soundlint plugin can implement.

Implement a hook with ``@soundlint.hookimpl`` on a function of the same name; it may take
any subset of the arguments listed here. Hooks marked *first result* stop at the first
implementation that returns something other than None. Every other hook collects the
results of all implementations. An implementation that raises is reported as SL001 and
the run goes on without it.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from soundlint.config import Settings
    from soundlint.engine import CheckContext
    from soundlint.model import AudioInfo, Diagnostic, Measurement, Script, Template
    from soundlint.project import Project
    from soundlint.report import Formatter
    from soundlint.rule import Rule

hookspec = pluggy.HookspecMarker("soundlint")
hookimpl = pluggy.HookimplMarker("soundlint")


@hookspec
def soundlint_rules() -> Iterable[Rule]:
    """Return the rules this plugin provides. Called once, before configuration is read."""


@hookspec
def soundlint_config_keys() -> Mapping[str, Any]:
    """Return extra top-level configuration keys this plugin reads, with their defaults.

    Keys nobody declares are a configuration error.
    """


@hookspec
def soundlint_add_options(parser: argparse.ArgumentParser) -> None:
    """Add command-line options to ``soundlint check``. Called while building the parser."""


@hookspec
def soundlint_add_commands(
    subparsers: argparse._SubParsersAction[Any], parents: list[argparse.ArgumentParser]
) -> None:
    """Add subcommands with ``subparsers.add_parser(name, parents=parents)``.

    Each should ``set_defaults(handler=fn)``, where ``fn(args, session) -> int`` returns the
    exit status; ``parents`` gives the command the common ``-p`` and ``--config`` options.
    """


@hookspec
def soundlint_configure(settings: Settings, args: argparse.Namespace) -> None:
    """Called once the configuration is resolved, before anything is discovered or loaded."""


@hookspec
def soundlint_manifest_names() -> Iterable[str]:
    """Return the file names that mark a directory as a template (``template.toml``)."""


@hookspec(firstresult=True)
def soundlint_load_template(manifest: Path, settings: Settings) -> Template | None:
    """Load the template whose manifest is ``manifest``; None if this plugin cannot. First result.

    A broken manifest still yields a Template, with ``error`` set.
    """


@hookspec(firstresult=True)
def soundlint_load_script(path: Path, settings: Settings) -> Script | None:
    """Parse the script at ``path``; None if this plugin cannot. First result.

    Malformed markup still yields a Script, with ``error`` set.
    """


@hookspec(firstresult=True)
def soundlint_read_audio_info(path: Path) -> AudioInfo | None:
    """Read an audio file's format facts from its header, without decoding. First result."""


@hookspec(firstresult=True)
def soundlint_measure(path: Path, settings: Settings, needs: frozenset[str]) -> Measurement | None:
    """Measure an audio file in one streaming pass (loudness, peaks, silence, ...). First result.

    ``needs``: the measures the enabled rules read (see ``model.MEASURES``); a meter may
    measure only those, and says which it did in ``Measurement.measures``.

    Called at most once per file and run (in a worker process when there is audio enough to
    share out), and not at all when no enabled rule needs measurements or the cache holds a
    result for the file's content. Raise ``soundlint.audio.analyse.UnreadableAudio`` for a
    file that cannot be decoded at all.
    """


@hookspec
def soundlint_check_template(template: Template, context: CheckContext) -> Iterable[Diagnostic]:
    """Check one template (its manifest and segments). Called once per template linted."""


@hookspec
def soundlint_check_script(
    script: Script, template: Template | None, context: CheckContext
) -> Iterable[Diagnostic]:
    """Check one script; ``template`` is the template it is bound to, if that exists."""


@hookspec
def soundlint_check_project(project: Project, context: CheckContext) -> Iterable[Diagnostic]:
    """Check across templates and scripts (unique names, ...). Called once per run."""


@hookspec
def soundlint_report_formats() -> Mapping[str, Formatter]:
    """Return output formats by name, for ``--output-format``."""
