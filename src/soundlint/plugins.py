"""The plugin manager: entry points, local modules, and one failing plugin never stops a run."""

from __future__ import annotations

import argparse
import functools
import importlib
import importlib.metadata
import importlib.util
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pluggy
from pluggy import HookImpl

from soundlint import hookspecs, project_modules
from soundlint.config import ConfigError
from soundlint.model import MEASURES, AudioInfo, Diagnostic, Measurement, Script, Template
from soundlint.rule import Rule

if TYPE_CHECKING:
    from soundlint.config import Settings
    from soundlint.engine import CheckContext
    from soundlint.project import Project
    from soundlint.report import Formatter

ENTRY_POINT_GROUP = "soundlint"
UNSUPPORTED_WRAPPER = NotImplementedError(
    "hook wrappers are not supported: soundlint calls each implementation on its own, so "
    "that one failing plugin cannot stop the others"
)

PLUGIN_ERROR = Rule(
    code="SL001",
    name="plugin-error",
    summary="A plugin failed to load or raised an exception.",
    what="A plugin that could not be imported, whose hook raised while soundlint ran, or that "
    "declared a rule code another plugin had registered first (soundlint's own plugins load "
    "first). Such a plugin is refused as a whole; the rule keeps its first owner.",
    why=(
        "Its rules did not run, so the templates were not fully checked. The run goes on "
        "with the other plugins and fails, so that a broken plugin is never mistaken for "
        "clean templates."
    ),
    fix="Read the error in the message; fix or update the plugin, or disable it with `-p no:NAME`.",
)


@dataclass(frozen=True)
class PluginInfo:
    """A loaded plugin, for ``soundlint plugins``."""

    name: str
    module: str
    version: str | None
    source: str
    """'entry point', 'config' or 'command line'."""


class Plugins:
    """A typed façade over pluggy: one method per hook, each implementation isolated."""

    def __init__(self) -> None:
        self._pm = pluggy.PluginManager("soundlint")
        self._pm.add_hookspecs(hookspecs)
        self._info: list[PluginInfo] = []
        self.errors: list[Diagnostic] = []
        self._rules: dict[str, Rule] = {PLUGIN_ERROR.code: PLUGIN_ERROR}
        self._owners: dict[str, str] = {PLUGIN_ERROR.code: "soundlint"}

    # Loading ---------------------------------------------------------------------------

    def load(
        self,
        *,
        modules: Iterable[tuple[str, str]] = (),
        blocked: Iterable[str] = (),
        search_path: Path | None = None,
    ) -> None:
        """Load entry-point plugins (soundlint's own first), then ``(module, source)`` pairs.

        Blocked names are skipped. A rule code belongs to the plugin that registered it first.
        """
        for name in blocked:
            self._pm.set_blocked(name)
        for entry_point in sorted(
            importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=_builtins_first
        ):
            if self._pm.is_blocked(entry_point.name):
                continue
            dist = entry_point.dist
            version = dist.version if dist else None
            self._import(
                entry_point.name, entry_point.value, "entry point", version, entry_point.load
            )
        for module_name, source in modules:
            if self._pm.is_blocked(module_name):
                continue
            location = _local_file(module_name, search_path)
            self._import(
                module_name,
                module_name,
                source,
                None,
                functools.partial(_import_local, module_name, search_path),
                location,
            )

    def _import(
        self,
        name: str,
        module_name: str,
        source: str,
        version: str | None,
        loader: Callable[[], Any],
        location: Path | None = None,
    ) -> None:
        try:
            plugin = loader()
            self._pm.register(plugin, name=name)
        except Exception as error:
            self.errors.append(_plugin_error(name, module_name, "failed to load", error, location))
            return
        if not self._claim_rules(name, plugin):
            self._pm.unregister(name=name)
            return
        if version is None:
            version = getattr(plugin, "__version__", None)
        self._info.append(PluginInfo(name, module_name, version, source))

    @property
    def loaded(self) -> list[PluginInfo]:
        return list(self._info)

    # Calling ---------------------------------------------------------------------------

    def _each(self, hook_name: str, **kwargs: Any) -> Iterable[tuple[str, Any]]:
        """Call every implementation of a hook, newest first, yielding (plugin name, result)."""
        caller = getattr(self._pm.hook, hook_name)
        for impl in reversed(caller.get_hookimpls()):
            if impl.wrapper or impl.hookwrapper:
                self._error(impl, f"wraps {hook_name}", UNSUPPORTED_WRAPPER)
                continue
            try:
                result = impl.function(*(kwargs[arg] for arg in impl.argnames))
                if isinstance(result, Iterable) and not isinstance(result, str | bytes | Mapping):
                    result = list(result)
            except ConfigError:
                raise
            except Exception as error:
                self._error(impl, f"raised in {hook_name}", error)
                continue
            yield impl.plugin_name, result

    def _error(self, impl: HookImpl, what: str, error: BaseException) -> None:
        module = _module_name(impl.plugin, impl.plugin_name)
        self.errors.append(_plugin_error(impl.plugin_name, module, what, error))

    def _collect(self, hook_name: str, **kwargs: Any) -> list[Any]:
        items: list[Any] = []
        for _, result in self._each(hook_name, **kwargs):
            if result is not None:
                items.extend(result)
        return items

    def _diagnostics(self, hook_name: str, **kwargs: Any) -> list[Diagnostic]:
        """Collect a check hook's findings; anything but a Diagnostic of a known rule is SL001."""
        rules = self._rules
        found: list[Diagnostic] = []
        for plugin_name, result in self._each(hook_name, **kwargs):
            items = [] if result is None else result if isinstance(result, list) else [result]
            for item in items:
                if isinstance(item, Diagnostic) and item.code in rules:
                    found.append(item)
                    continue
                problem = (
                    f"reported code {item.code}, which no plugin registered as a rule"
                    if isinstance(item, Diagnostic)
                    else f"returned {type(item).__name__}, not Diagnostic values"
                )
                module = _module_name(self._pm.get_plugin(plugin_name), plugin_name)
                found.append(
                    _plugin_error(plugin_name, module, f"broke {hook_name}", TypeError(problem))
                )
        return found

    def _first(self, hook_name: str, **kwargs: Any) -> Any:
        for _, result in self._each(hook_name, **kwargs):
            if result is not None:
                return result
        return None

    def rules(self) -> dict[str, Rule]:
        """Every rule by code, SL001 included."""
        return dict(sorted(self._rules.items()))

    def _claim_rules(self, name: str, plugin: object) -> bool:
        """Take a new plugin's rules; a code already taken refuses the whole plugin."""
        claimed: dict[str, Rule] = {}
        impls = [
            impl
            for impl in self._pm.hook.soundlint_rules.get_hookimpls()
            if impl.plugin_name == name
        ]
        for impl in impls:
            try:
                produced: Any = impl.function()
                rules = list(produced or ())
                if not all(isinstance(rule, Rule) for rule in rules):
                    raise TypeError("soundlint_rules must return Rule values")
            except Exception as error:
                self._error(impl, "raised in soundlint_rules", error)
                return False
            for rule in rules:
                owner = self._owners.get(rule.code) or (name if rule.code in claimed else None)
                if owner is not None:
                    module = _module_name(plugin, name)
                    taken = f"rule {rule.code} is already registered by plugin '{owner}'"
                    what = f"(module {module}) was refused with all its rules and hooks"
                    self.errors.append(_plugin_error(name, module, what, ValueError(taken)))
                    return False
                claimed[rule.code] = rule
        self._rules.update(claimed)
        self._owners.update(dict.fromkeys(claimed, name))
        return True

    def config_keys(self) -> dict[str, Any]:
        keys: dict[str, Any] = {}
        for _, result in self._each("soundlint_config_keys"):
            keys.update(result or {})
        return keys

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        list(self._each("soundlint_add_options", parser=parser))

    def add_commands(
        self, subparsers: argparse._SubParsersAction[Any], parents: list[argparse.ArgumentParser]
    ) -> None:
        list(self._each("soundlint_add_commands", subparsers=subparsers, parents=parents))

    def configure(self, settings: Settings, args: argparse.Namespace) -> None:
        list(self._each("soundlint_configure", settings=settings, args=args))

    def manifest_names(self) -> list[str]:
        return sorted(set(self._collect("soundlint_manifest_names")))

    def load_template(self, manifest: Path, settings: Settings) -> Template | None:
        result: Template | None = self._first(
            "soundlint_load_template", manifest=manifest, settings=settings
        )
        return result

    def load_script(self, path: Path, settings: Settings) -> Script | None:
        result: Script | None = self._first("soundlint_load_script", path=path, settings=settings)
        return result

    def read_audio_info(self, path: Path) -> AudioInfo | None:
        result: AudioInfo | None = self._first("soundlint_read_audio_info", path=path)
        return result

    def meter_identity(self) -> str:
        """Which meters would answer ``measure``: part of the measurement cache's key."""
        impls = self._pm.hook.soundlint_measure.get_hookimpls()
        versions = {info.name: info.version for info in self._info}
        return ",".join(f"{impl.plugin_name}={versions.get(impl.plugin_name)}" for impl in impls)

    def measure(
        self, path: Path, settings: Settings, needs: frozenset[str] = frozenset(MEASURES)
    ) -> Measurement | None:
        """Measure a file. Unlike other hooks, exceptions propagate: they describe the file."""
        result: Measurement | None = self._pm.hook.soundlint_measure(
            path=path, settings=settings, needs=needs
        )
        return result

    def check_template(self, template: Template, context: CheckContext) -> list[Diagnostic]:
        return self._diagnostics("soundlint_check_template", template=template, context=context)

    def check_script(
        self, script: Script, template: Template | None, context: CheckContext
    ) -> list[Diagnostic]:
        return self._diagnostics(
            "soundlint_check_script", script=script, template=template, context=context
        )

    def check_project(self, project: Project, context: CheckContext) -> list[Diagnostic]:
        return self._diagnostics("soundlint_check_project", project=project, context=context)

    def report_formats(self) -> dict[str, Formatter]:
        formats: dict[str, Formatter] = {}
        for _, result in self._each("soundlint_report_formats"):
            formats.update(result or {})
        return formats


def _builtins_first(entry_point: importlib.metadata.EntryPoint) -> tuple[bool, str]:
    dist = entry_point.dist
    return (dist is None or dist.name != "soundlint", entry_point.name)


def _module_name(plugin: object, default: str) -> str:
    """The module a plugin object is or was defined in."""
    if isinstance(plugin, ModuleType):
        return plugin.__name__
    return getattr(plugin, "__module__", None) or default


def _local_file(module_name: str, search_path: Path | None) -> Path | None:
    """The file of a plugin module next to the config (``name.py`` or ``name/__init__.py``)."""
    if search_path is None:
        return None
    base = search_path.joinpath(*module_name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _import_local(module_name: str, search_path: Path | None) -> ModuleType:
    """Import a plugin module named in the configuration, looking next to the config first,
    among the project's own local modules (see ``project_modules``)."""
    if search_path is None:
        return importlib.import_module(module_name)
    with project_modules.importing_for(search_path):
        return importlib.import_module(module_name)


def _plugin_error(
    name: str, module: str, what: str, error: BaseException, location: Path | None = None
) -> Diagnostic:
    return Diagnostic(
        code=PLUGIN_ERROR.code,
        message=f"plugin '{name}' {what}: {type(error).__name__}: {error}",
        path=location or _module_path(module) or Path(f"<plugin {name}>"),
    )


def _module_path(module_name: str) -> Path | None:
    module = sys.modules.get(module_name)
    origin = getattr(module, "__file__", None)
    if origin is None:
        try:
            spec = importlib.util.find_spec(module_name.split(":")[0])
        except Exception:
            return None
        origin = spec.origin if spec else None
    return Path(origin) if origin and origin not in ("built-in", "frozen") else None
