"""One run, start to finish: configuration, plugins, discovery, checks. Used by the CLI too."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from soundlint import config, engine, project
from soundlint.plugins import Plugins


@dataclass(frozen=True)
class Session:
    """The configuration file and the plugins it asked for, before any rule has run."""

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


def start(
    paths: Sequence[Path] = (),
    *,
    config_path: Path | None = None,
    plugin_args: Iterable[str] = (),
    search_config: bool = True,
) -> Session:
    """Find and read the configuration, then load plugins (``-p NAME`` / ``-p no:NAME``).

    With ``search_config`` false and no ``config_path``, no configuration file is used.
    """
    start_at = _common_directory(paths) if paths else Path.cwd()
    if config_path is not None and not config_path.is_file():
        raise config.ConfigError(f"config file not found: {config_path}")
    found = config_path or (config.find_config(start_at) if search_config else None)
    config_file = config.read_config(found, config.default_root(start_at))
    plugin_args = list(plugin_args)
    blocked = [arg.removeprefix("no:") for arg in plugin_args if arg.startswith("no:")]
    modules = [(name, "config") for name in config.plugin_modules(config_file)] + [
        (arg, "command line") for arg in plugin_args if not arg.startswith("no:")
    ]
    plugins = Plugins()
    plugins.load(modules=modules, blocked=blocked, search_path=config_file.root)
    return Session(config_file, plugins, tuple(plugin_args))


def _common_directory(paths: Sequence[Path]) -> Path:
    """The deepest directory holding every path: where the configuration search starts, so
    that the order of the paths does not matter."""
    resolved = [path.resolve() for path in paths]
    common = Path(os.path.commonpath(resolved))
    return common if common.is_dir() else common.parent


def lint(
    paths: Sequence[Path | str] = (),
    *,
    config_path: Path | None = None,
    overrides: config.Overrides | None = None,
    plugin_args: Iterable[str] = (),
) -> engine.Result:
    """Lint templates and scripts under ``paths`` (default: the project root)."""
    resolved = [Path(p) for p in paths]
    session = start(resolved, config_path=config_path, plugin_args=plugin_args)
    return run(session, resolved, session.settings(overrides), argparse.Namespace())


def run(
    session: Session, paths: Sequence[Path], settings: config.Settings, args: argparse.Namespace
) -> engine.Result:
    """Configure the plugins, discover and load the project, and check it."""
    session.plugins.configure(settings, args)
    discovered = project.discover(paths, settings, session.plugins)
    return engine.check(
        discovered,
        settings,
        session.plugins,
        jobs=getattr(args, "jobs", None),
        use_cache=not getattr(args, "no_cache", False),
        shard=getattr(args, "shard", None),
        progress=getattr(args, "progress", "never"),
    )
