"""One run, start to finish: configuration, plugins, discovery, checks. Used by the CLI too.

A run may span several projects, as in a monorepo. Each path belongs to the nearest
configuration file above it (``soundlint.toml``, or ``pyproject.toml`` with
``[tool.soundlint]``), and that file's directory is its project root; without one, the project
is the repository holding the path. Paths are grouped by project; each project gets a session
of its own (its settings, profile and plugins), is discovered and checked on its own (scripts
bind only to its templates), and the results merge into one :class:`Result` with one sorted
list of diagnostics. A directory checked that holds a configuration further down hands that
part over to a project of its own. ``--config`` puts every path under one file instead.

Entry points: :func:`lint` for programs, :func:`check` for the CLI.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from soundlint import config, engine, project
from soundlint.model import Diagnostic, Script, Template
from soundlint.plugins import Plugins
from soundlint.rule import Rule


@dataclass(frozen=True)
class Session:
    """A project's configuration file and the plugins it asked for, before any rule has run."""

    config_file: config.ConfigFile
    plugins: Plugins
    plugin_args: tuple[str, ...] = ()

    def settings(self, overrides: config.Overrides | None = None) -> config.Settings:
        return config.resolve(
            self.config_file,
            self.plugins.rules(),
            overrides,
            self.plugins.config_keys(),
            self.plugin_args,
        )


@dataclass(frozen=True)
class Result:
    """What a run found, over every project it checked."""

    runs: tuple[engine.Result, ...]
    """One per project, in the order of their roots."""
    diagnostics: tuple[Diagnostic, ...]
    """Every project's diagnostics, sorted."""
    rules: Mapping[str, Rule]
    """The rules of every project's plugins, by code."""
    config_files: tuple[Path, ...] = ()
    """The configuration files of the projects checked, in the order of their roots."""

    @property
    def projects(self) -> tuple[project.Project, ...]:
        return tuple(run.project for run in self.runs)

    @property
    def checked_templates(self) -> tuple[Template, ...]:
        return tuple(t for p in self.projects for t in p.checked_templates)

    @property
    def checked_scripts(self) -> tuple[Script, ...]:
        return tuple(s for p in self.projects for s in p.checked_scripts)

    @property
    def files(self) -> int:
        """How many files were looked at: manifests, segments, scripts."""
        return sum(run.files for run in self.runs)

    @property
    def warnings(self) -> tuple[str, ...]:
        """Every project's configuration warnings, one line each."""
        return tuple(warning for run in self.runs for warning in run.warnings)

    @property
    def root(self) -> Path:
        """Where CI reports take their paths from: the repository holding every project
        checked (code scanning and merge requests expect repository paths), else the
        deepest directory holding them all."""
        roots = [p.root for p in self.projects] or [Path.cwd()]
        common = Path(os.path.commonpath(roots))
        return config.repository_of(common) or common

    def owns(self, path: Path) -> bool:
        """True when a project checked ``path`` (an absolute path)."""
        return any(p.owns(path) for p in self.projects)

    def covers(self, directory: Path) -> bool:
        """True when a project checked a template or script in, or around, ``directory``."""
        return any(
            t.directory.is_relative_to(directory) or directory.is_relative_to(t.directory)
            for t in self.checked_templates
        ) or any(s.path.is_relative_to(directory) for s in self.checked_scripts)

    def root_of(self, path: Path) -> Path | None:
        """The root of the innermost project checked that holds ``path`` (an absolute path)."""
        holding = [p.root for p in self.projects if path.is_relative_to(p.root)]
        return max(holding, key=lambda root: len(root.parts), default=None)


def start(
    paths: Sequence[Path] = (),
    *,
    config_path: Path | None = None,
    plugin_args: Iterable[str] = (),
    search_config: bool = True,
) -> Session:
    """The session of the project holding all of ``paths`` (default: the current directory):
    what the CLI builds its options from, and what audio worker processes load.

    With ``search_config`` false and no ``config_path``, no configuration file is used.
    """
    start_at = _common_directory(paths) if paths else Path.cwd()
    if config_path is not None:
        return open_session(_explicit_config(config_path, [start_at]), plugin_args)
    found = config.find_config(start_at) if search_config else None
    named = paths[0].resolve() if len(paths) == 1 else start_at
    return open_session(_config_file(found, named), plugin_args)


def open_session(config_file: config.ConfigFile, plugin_args: Iterable[str] = ()) -> Session:
    """Load the plugins a configuration asks for (``-p NAME`` / ``-p no:NAME`` on top)."""
    plugin_args = list(plugin_args)
    blocked = [arg.removeprefix("no:") for arg in plugin_args if arg.startswith("no:")]
    modules = [(name, "config") for name in config.plugin_modules(config_file)] + [
        (arg, "command line") for arg in plugin_args if not arg.startswith("no:")
    ]
    plugins = Plugins()
    plugins.load(modules=modules, blocked=blocked, search_path=config_file.directory)
    return Session(config_file, plugins, tuple(plugin_args))


def lint(
    paths: Sequence[Path | str] = (),
    *,
    config_path: Path | None = None,
    overrides: config.Overrides | None = None,
    plugin_args: Iterable[str] = (),
    jobs: int | None = None,
    use_cache: bool = True,
) -> Result:
    """Lint templates and scripts under ``paths`` (default: the current directory), each
    under its own project's configuration."""
    return check(
        [Path(p) for p in paths],
        config_path=config_path,
        overrides=overrides,
        plugin_args=plugin_args,
        args=argparse.Namespace(jobs=jobs, no_cache=not use_cache),
    )


def check(
    paths: Sequence[Path],
    *,
    config_path: Path | None = None,
    overrides: config.Overrides | None = None,
    plugin_args: Iterable[str] = (),
    args: argparse.Namespace | None = None,
    sessions: Iterable[Session] = (),
) -> Result:
    """Group ``paths`` by project, check each project, merge the results. ``sessions`` already
    opened (the CLI's) are used again for their projects; ``args`` are the parsed options."""
    args = args or argparse.Namespace()
    plugin_args = tuple(plugin_args)
    opened = {(s.config_file.path, s.config_file.root): s for s in sessions}
    pending = _group([p.resolve() for p in paths] or [Path.cwd()], config_path)
    runs: list[engine.Result] = []
    config_files: dict[Path, Path | None] = {}
    while pending:
        # Shallowest first: a project may find further projects below it, not above.
        key = min(pending, key=lambda k: len(k[1].parts))
        config_file, targets = pending.pop(key)
        session = opened.get(key) or open_session(config_file, plugin_args)
        opened[key] = session
        result = run(session, targets, session.settings(overrides), args, nested=not config_path)
        runs.append(result)
        config_files[result.project.root] = config_file.path
        for root in result.project.nested_roots:
            if any(root.is_relative_to(target) for target in targets):
                _add(pending, _config_file(config.config_in(root), root), root)
    runs.sort(key=lambda r: r.project.root)
    rules: dict[str, Rule] = {}
    for session in opened.values():
        rules.update(session.plugins.rules())
    diagnostics = sorted((d for r in runs for d in r.diagnostics), key=Diagnostic.sort_key)
    used = (config_files[root] for root in sorted(config_files))
    return Result(tuple(runs), tuple(diagnostics), rules, tuple(p for p in used if p))


def run(
    session: Session,
    paths: Sequence[Path],
    settings: config.Settings,
    args: argparse.Namespace,
    *,
    nested: bool = True,
) -> engine.Result:
    """Configure the plugins, discover and load one project, and check it."""
    session.plugins.configure(settings, args)
    quiet = getattr(args, "pre_commit", False) or getattr(args, "force_exclude", False)
    discovered = project.discover(
        paths, settings, session.plugins, nested=nested, named_orphans=not quiet
    )
    return engine.check(
        discovered,
        settings,
        session.plugins,
        jobs=getattr(args, "jobs", None),
        use_cache=not getattr(args, "no_cache", False),
        shard=getattr(args, "shard", None),
        progress=getattr(args, "progress", "never"),
    )


_Key = tuple[Path | None, Path]
"""A project: its configuration file (None: none) and its root."""


def _group(
    paths: list[Path], config_path: Path | None
) -> dict[_Key, tuple[config.ConfigFile, list[Path]]]:
    """Each path under the nearest configuration above it, or all under ``config_path``."""
    if config_path is not None:
        config_file = _explicit_config(config_path, paths)
        return {(config_file.path, config_file.root): (config_file, paths)}
    groups: dict[_Key, tuple[config.ConfigFile, list[Path]]] = {}
    known: dict[tuple[Path, bool], config.ConfigFile] = {}
    for path in paths:
        is_directory = path.is_dir()
        directory = path if is_directory else path.parent
        if (directory, is_directory) not in known:
            # Files of one directory share their configuration and their root.
            found = config.find_config(directory)
            known[directory, is_directory] = _config_file(found, path)
        _add(groups, known[directory, is_directory], path)
    return _without_nested_roots(groups)


def _without_nested_roots(
    groups: dict[_Key, tuple[config.ConfigFile, list[Path]]],
) -> dict[_Key, tuple[config.ConfigFile, list[Path]]]:
    """Paths without a configuration whose root lies inside another such root of the run
    (a template's file beside the pack's scripts) join the outermost one."""
    unconfigured = sorted((root for found, root in groups if found is None), key=_depth)
    for found, root in list(groups):
        outer = next((r for r in unconfigured if root.is_relative_to(r)), root)
        if found is None and outer != root:
            groups[(None, outer)][1].extend(groups.pop((None, root))[1])
    return groups


def _depth(path: Path) -> int:
    return len(path.parts)


def _add(
    groups: dict[_Key, tuple[config.ConfigFile, list[Path]]],
    config_file: config.ConfigFile,
    path: Path,
) -> None:
    key = (config_file.path, config_file.root)
    groups.setdefault(key, (config_file, []))[1].append(path)


def _config_file(found: Path | None, path: Path) -> config.ConfigFile:
    """The configuration ``found`` for ``path``; without one, the project ``path`` stands for."""
    return config.read_config(found, config.default_root(path))


def _explicit_config(config_path: Path, paths: Sequence[Path]) -> config.ConfigFile:
    """``--config``: its settings for every path. Its directory is the root when it holds the
    paths; a file elsewhere does not move the project away from them."""
    if config_path.is_dir():
        raise config.ConfigError(
            f"--config {config_path} is a directory; name a file (soundlint.toml or pyproject.toml)"
        )
    if not config_path.is_file():
        raise config.ConfigError(f"config file not found: {config_path}")
    common = _common_directory(paths)
    config_file = config.read_config(config_path, config.default_root(common))
    if all(path.resolve().is_relative_to(config_file.root) for path in paths):
        return config_file
    return replace(config_file, root=config.default_root(common))


def _common_directory(paths: Sequence[Path]) -> Path:
    """The deepest existing directory holding every path."""
    resolved = [path.resolve() for path in paths]
    return _existing(Path(os.path.commonpath(resolved)))


def _existing(path: Path) -> Path:
    """``path`` if it is a directory, else its nearest existing parent."""
    while not path.is_dir() and path != path.parent:
        path = path.parent
    return path
