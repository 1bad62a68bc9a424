"""Find, read, merge and validate configuration: profile, then project file, then command line."""

from __future__ import annotations

import importlib.resources
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from soundlint.manifest import MANIFEST_NAME
from soundlint.model import Severity
from soundlint.rule import Rule
from soundlint.words import closest, kind_name, type_name

DEFAULT_PROFILE = "audiostack"
DEFAULT_SCRIPTS = (
    "**/scripts/**/*.xml",
    "**/scripts/**/*.txt",
    "**/scripts/**/*.ssml",
    "**/scripts/**/*.json",
)
PROJECT_KEYS = {
    "profile": str,
    "select": list,
    "extend-select": list,
    "ignore": list,
    "per-file-ignores": dict,
    "severity": dict,
    "scripts": list,
    "script-templates": dict,
    "exclude": list,
    "plugins": list,
    "rules": dict,
    "cache-dir": str,
    "respect-gitignore": bool,
    "cache-max-mb": int,
}
DEFAULT_CACHE_DIR = ".soundlint_cache"
DEFAULT_CACHE_MAX_MB = 256
PROFILE_KEYS = {"description", "select", "extend-select", "ignore", "severity", "rules"}


class ConfigError(Exception):
    """A configuration or usage problem: reported on one line, exit status 2."""


@dataclass(frozen=True)
class ConfigFile:
    """The project's configuration table as read, before it is validated."""

    path: Path | None
    root: Path
    """The project root: the file's directory, unless ``--config`` named a file elsewhere."""
    table: Mapping[str, Any] = field(default_factory=dict)

    @property
    def directory(self) -> Path:
        """Where relative profile paths and local plugin modules are looked for."""
        return self.path.parent if self.path is not None else self.root

    @property
    def label(self) -> str:
        return config_label(self.path)


def config_label(path: Path | None) -> str:
    """How messages name a configuration file: its path, and its table in a pyproject.toml."""
    if path is None:
        return "configuration"
    section = "[tool.soundlint]" if path.name == "pyproject.toml" else ""
    return f"{path} {section}".strip()


@dataclass(frozen=True)
class Overrides:
    """What the command line says, which wins over the files."""

    profile: str | None = None
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    respect_gitignore: bool | None = None
    cache_dir: Path | None = None
    """An absolute path: ``--cache-dir`` or ``$SOUNDLINT_CACHE_DIR``."""


@dataclass(frozen=True)
class Selectors:
    """One layer's rule selection: the profile's, the file's or the command line's."""

    select: tuple[str, ...] | None = None
    """None: what the layer below chose (at the bottom, the rules enabled by default)."""
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    """The resolved configuration of one run."""

    root: Path
    config_file: Path | None = None
    profile: str = DEFAULT_PROFILE
    selection: tuple[Selectors, ...] = ()
    """Layers, lowest first: profile, file, command line (see selection.RuleSelection)."""
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    rule_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Every rule's options, defaults filled in."""
    scripts: tuple[str, ...] = DEFAULT_SCRIPTS
    script_templates: tuple[tuple[str, str], ...] = ()
    exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    """Leave out of discovery what git ignores (files named outright are always checked)."""
    plugin_args: tuple[str, ...] = ()
    """The command line's ``-p`` arguments, for worker processes to load the same plugins."""
    cache_dir: Path = Path(DEFAULT_CACHE_DIR)
    cache_max_mb: int = DEFAULT_CACHE_MAX_MB
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Top-level keys declared by plugins."""

    @property
    def config_label(self) -> str:
        """How messages name the configuration file, for plugins validating their keys."""
        return config_label(self.config_file)

    @property
    def profile_file(self) -> Path | None:
        """The profile's file when it is the project's own, not a shipped one."""
        if self.profile in profile_names():
            return None
        directory = self.config_file.parent if self.config_file is not None else self.root
        return (directory / self.profile).resolve()


# Finding and reading ------------------------------------------------------------------


def find_config(start: Path) -> Path | None:
    """The nearest configuration file upward from ``start`` (a directory, or a file's)."""
    directory = start if start.is_dir() else start.parent
    for candidate in (directory, *directory.parents):
        found = config_in(candidate)
        if found is not None:
            return found
    return None


def config_in(directory: Path) -> Path | None:
    """The directory's soundlint.toml, or its pyproject.toml if that has [tool.soundlint].
    What this process may not read (a file, or a directory it may not look into) counts as
    absent: walking up from a project must not stop at someone else's directory."""
    own = directory / "soundlint.toml"
    if _readable_file(own):
        return own
    pyproject = directory / "pyproject.toml"
    if _readable_file(pyproject) and "soundlint" in _tool_table(_read_toml(pyproject), pyproject):
        return pyproject
    return None


def _readable_file(path: Path) -> bool:
    return os.path.isfile(path) and os.access(path, os.R_OK)


def default_root(path: Path) -> Path:
    """The project root of a path checked without a configuration file, whatever the current
    directory: the top of the repository holding it; else the pack holding it (see
    ``_pack_of``), so that checking part of a pack sees the pack's templates and scripts."""
    return repository_of(path) or _pack_of(path)


def repository_of(path: Path) -> Path | None:
    """The top of the git (or Mercurial) work tree holding ``path``; None outside one."""
    for candidate in (path, *path.parents):
        if os.path.exists(candidate / ".git") or os.path.exists(candidate / ".hg"):
            return candidate
    return None


def _pack_of(path: Path) -> Path:
    """The nearest directory at or above a directory (above a file) holding a template or a
    ``scripts/`` directory, or its parent when the scripts are there (``templates/`` beside
    ``scripts/``); without one, the directory itself (a file's nearest existing directory).
    A home directory or ``/`` is never a pack: a stray path must not make a run walk either."""
    never = {Path(os.path.expanduser("~")), Path(path.anchor)}
    directories = (path, *path.parents) if os.path.isdir(path) else path.parents
    for directory in directories:
        if directory in never:
            break
        if _holds_scripts(directory):
            return directory
        if _holds_a_template(directory):
            above = directory.parent
            return above if above not in never and _holds_scripts(above) else directory
    return next(directory for directory in directories if os.path.isdir(directory))


def _holds_scripts(directory: Path) -> bool:
    return os.path.isdir(directory / "scripts")


def _holds_a_template(directory: Path) -> bool:
    """True when a subdirectory of ``directory`` holds a manifest; False if it may not be read."""
    try:
        with os.scandir(directory) as entries:
            return any(
                entry.is_dir() and os.path.isfile(os.path.join(entry.path, MANIFEST_NAME))
                for entry in entries
            )
    except OSError:
        return False


def read_config(path: Path | None, default_root: Path) -> ConfigFile:
    """Read the soundlint table of a config file; no file gives an empty table."""
    if path is None:
        return ConfigFile(None, default_root)
    data = _read_toml(path)
    table = _tool_table(data, path).get("soundlint", {}) if path.name == "pyproject.toml" else data
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.soundlint] must be a table")
    return ConfigFile(path.resolve(), path.resolve().parent, table)


def _tool_table(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """A pyproject.toml's ``[tool]`` table (empty when it has none)."""
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: 'tool' must be a table, not {type_name(tool)}")
    return tool


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: values are nested too deeply") from None


def profile_names() -> list[str]:
    """The profiles shipped with soundlint."""
    folder = importlib.resources.files("soundlint") / "profiles"
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


@dataclass(frozen=True)
class Profile:
    """A rule profile as read. A shipped one may name rules of plugins that are switched off."""

    table: Mapping[str, Any]
    label: str
    shipped: bool


def load_profile(name_or_path: str, relative_to: Path, named_in: str | None = None) -> Profile:
    """A shipped profile by name, or a profile file by path; ``named_in``: the configuration
    file naming it, for the message when there is no such profile."""
    if name_or_path in profile_names():
        resource = importlib.resources.files("soundlint") / "profiles" / f"{name_or_path}.toml"
        data = tomllib.loads(resource.read_text(encoding="utf-8"))
        origin = f"profile '{name_or_path}'"
    else:
        path = relative_to / name_or_path
        where = f"{named_in}: " if named_in else ""
        if not os.path.isfile(path) and ("/" in name_or_path or name_or_path.endswith(".toml")):
            raise ConfigError(f"{where}profile file not found: {path}")
        if not os.path.isfile(path):
            hint = _did_you_mean(name_or_path, profile_names())
            raise ConfigError(
                f"{where}unknown profile '{name_or_path}'{hint}; "
                f"choose one of {', '.join(profile_names())} or give a path to a .toml file"
            )
        data = _read_toml(path)
        origin = str(path)
    _reject_unknown(data, PROFILE_KEYS, origin)
    return Profile(data, origin, shipped=name_or_path in profile_names())


# Resolving ----------------------------------------------------------------------------


def resolve(
    config: ConfigFile,
    rules: Mapping[str, Rule],
    overrides: Overrides | None = None,
    plugin_keys: Mapping[str, Any] | None = None,
    plugin_args: tuple[str, ...] = (),
) -> Settings:
    """Merge profile, project file and command line into validated Settings."""
    overrides = overrides or Overrides()
    plugin_keys = dict(plugin_keys or {})
    table = config.table
    _reject_unknown(table, set(PROJECT_KEYS) | set(plugin_keys), config.label)
    for key, expected in PROJECT_KEYS.items():
        if key in table and not _is_a(table[key], expected):
            raise ConfigError(
                f"{config.label}: '{key}' must be {kind_name(expected)}, "
                f"not {type_name(table[key])}"
            )
    for key, default in (("profile", DEFAULT_PROFILE), ("cache-dir", DEFAULT_CACHE_DIR)):
        if table.get(key) == "":
            raise ConfigError(f"{config.label}: '{key}' is empty; leave it out for {default}")
    project = _Validator(rules, config.label, strict=True)
    profile_name = overrides.profile or table.get("profile", DEFAULT_PROFILE)
    named_in = config.label if overrides.profile is None and "profile" in table else None
    loaded = load_profile(profile_name, config.directory, named_in)
    profile = _Validator(rules, loaded.label, strict=not loaded.shipped)
    for flag, selectors in (
        ("--select", overrides.select or ()),
        ("--extend-select", overrides.extend_select),
        ("--ignore", overrides.ignore),
    ):
        project.check_selectors(selectors, flag)

    return Settings(
        root=config.root,
        config_file=config.path,
        profile=profile_name,
        selection=(
            profile.layer(loaded.table),
            project.layer(table),
            Selectors(overrides.select, overrides.extend_select, overrides.ignore),
        ),
        per_file_ignores=project.per_file_ignores(table.get("per-file-ignores", {})),
        severity={
            **profile.severities(loaded.table.get("severity", {})),
            **project.severities(table.get("severity", {})),
        },
        rule_options=_rule_options(
            rules,
            ((profile, loaded.table.get("rules", {})), (project, table.get("rules", {}))),
        ),
        scripts=tuple(_strings(table, "scripts", config.label) or DEFAULT_SCRIPTS),
        script_templates=tuple(
            (str(pattern), _string(template, f"script-templates.{pattern}", config.label))
            for pattern, template in table.get("script-templates", {}).items()
        ),
        exclude=tuple(_strings(table, "exclude", config.label) or ()),
        respect_gitignore=(
            overrides.respect_gitignore
            if overrides.respect_gitignore is not None
            else table.get("respect-gitignore", True)
        ),
        plugin_args=plugin_args,
        cache_dir=overrides.cache_dir
        or config.root / Path(table.get("cache-dir", DEFAULT_CACHE_DIR)).expanduser(),
        cache_max_mb=_positive(table.get("cache-max-mb", DEFAULT_CACHE_MAX_MB), config.label),
        extra={key: table.get(key, default) for key, default in plugin_keys.items()},
    )


def plugin_modules(config: ConfigFile) -> list[str]:
    """The local plugin modules a config file asks for, read before plugins are loaded."""
    return _strings(config.table, "plugins", config.label) or []


class _Validator:
    """Checks one layer's rule codes, selectors and options against the registered rules.

    A lenient layer (a shipped profile) skips codes and options of rules that are not loaded,
    since their plugin may be switched off; a strict one (the user's files) reports them.
    """

    def __init__(self, rules: Mapping[str, Rule], label: str, *, strict: bool) -> None:
        self.rules = rules
        self.label = label
        self.strict = strict
        self.by_name = {rule.name: code for code, rule in rules.items()}

    def selectors(self, table: Mapping[str, Any], key: str) -> tuple[str, ...] | None:
        if key not in table:
            return None
        values = tuple(_strings(table, key, self.label) or ())
        if key == "select" and not values:
            raise ConfigError(
                f"{self.label}: 'select' selects no rule; name codes or prefixes (or ALL), "
                "or leave it out and 'ignore' the rules not wanted"
            )
        if not self.strict:
            return tuple(value for value in values if self._known_selector(value))
        self.check_selectors(values, f"{self.label}: '{key}'")
        return values

    def layer(self, table: Mapping[str, Any]) -> Selectors:
        return Selectors(
            self.selectors(table, "select"),
            self.selectors(table, "extend-select") or (),
            self.selectors(table, "ignore") or (),
        )

    def check_selectors(self, selectors: tuple[str, ...], where: str) -> None:
        for selector in selectors:
            if not selector:
                raise ConfigError(f"{where} holds an empty string")
            if not self._known_selector(selector):
                hint = _did_you_mean(selector, list(self.rules))
                raise ConfigError(f"{where}: unknown rule selector '{selector}'{hint}")

    def _known_selector(self, selector: str) -> bool:
        return selector == "ALL" or any(code.startswith(selector) for code in self.rules)

    def code(self, key: str, where: str) -> str | None:
        """The rule code a table key names (by code or name); None for a lenient unknown."""
        if key in self.rules:
            return key
        if key in self.by_name:
            return self.by_name[key]
        if self.strict:
            hint = _did_you_mean(key, [*self.rules, *self.by_name])
            raise ConfigError(f"{self.label}: {where}: unknown rule '{key}'{hint}")
        return None

    def severities(self, table: Any) -> dict[str, Severity]:
        if not isinstance(table, dict):
            raise ConfigError(f"{self.label}: 'severity' must be a table")
        result: dict[str, Severity] = {}
        for key, value in table.items():
            code = self.code(key, "severity")
            if code is None:
                continue
            try:
                result[code] = Severity(value)
            except ValueError:
                raise ConfigError(
                    f"{self.label}: severity.{key}: '{value}' is not error, warning or info"
                ) from None
        return result

    def per_file_ignores(self, table: Mapping[str, Any]) -> tuple[tuple[str, tuple[str, ...]], ...]:
        entries = []
        for pattern, codes in table.items():
            if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
                raise ConfigError(f"{self.label}: per-file-ignores.{pattern}: expected a list")
            self.check_selectors(tuple(codes), f"{self.label}: per-file-ignores.{pattern}")
            entries.append((pattern, tuple(codes)))
        return tuple(entries)

    def options(self, key: str, values: Any, rule: Rule) -> dict[str, Any]:
        """A ``[rules.KEY]`` table's options, validated."""
        if not isinstance(values, dict):
            raise ConfigError(f"{self.label}: rules.{key} must be a table of options")
        known = {option.name: option for option in rule.options}
        accepted: dict[str, Any] = {}
        for name, value in values.items():
            if name not in known:
                if self.strict:
                    hint = _did_you_mean(name, list(known))
                    raise ConfigError(f"{self.label}: rules.{key}: unknown option '{name}'{hint}")
                continue
            problem = known[name].validate(value)
            if problem:
                raise ConfigError(f"{self.label}: rules.{key}.{name}: {problem}")
            accepted[name] = value
        return accepted


def _rule_options(
    rules: Mapping[str, Rule], layers: tuple[tuple[_Validator, Any], ...]
) -> dict[str, dict[str, Any]]:
    """Every rule's options: its defaults, then each layer's settings in turn."""
    options = {code: rule.defaults for code, rule in rules.items()}
    for checker, table in layers:
        if not isinstance(table, dict):
            raise ConfigError(f"{checker.label}: 'rules' must be a table")
        for key, values in table.items():
            code = checker.code(key, "rules")
            if code is not None:
                options[code].update(checker.options(key, values, rules[code]))
    return options


def _reject_unknown(table: Mapping[str, Any], known: set[str], label: str) -> None:
    for key in table:
        if key == "tool" and label.endswith("soundlint.toml"):
            raise ConfigError(
                f"{label}: write the settings at the top level of soundlint.toml, "
                "without a [tool.soundlint] table"
            )
        if key not in known:
            raise ConfigError(f"{label}: unknown key '{key}'{_did_you_mean(key, sorted(known))}")


def _strings(table: Mapping[str, Any], key: str, label: str) -> list[str] | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{label}: '{key}' must be a list of strings")
    if "" in value:
        raise ConfigError(f"{label}: '{key}' holds an empty string")
    return value


def _is_a(value: Any, expected: type) -> bool:
    """Whether a TOML value is of the type; true and false are not integers."""
    return isinstance(value, expected) and not (expected is int and isinstance(value, bool))


def _positive(value: int, label: str) -> int:
    if isinstance(value, bool) or value < 1:
        raise ConfigError(f"{label}: 'cache-max-mb' must be a whole number of 1 or more")
    return value


def _string(value: Any, where: str, label: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{label}: '{where}' must be a string")
    return value


def _did_you_mean(word: str, choices: list[str]) -> str:
    match = closest(word, choices)
    return f" (did you mean '{match}'?)" if match else ""
