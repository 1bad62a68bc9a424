"""Find, read, merge and validate configuration: profile, then project file, then command line."""

from __future__ import annotations

import difflib
import importlib.resources
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from soundlint.model import Severity
from soundlint.rule import Rule

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
}
DEFAULT_CACHE_DIR = ".soundlint_cache"
PROFILE_KEYS = {"description", "select", "extend-select", "ignore", "severity", "rules"}


class ConfigError(Exception):
    """A configuration or usage problem: reported on one line, exit status 2."""


@dataclass(frozen=True)
class ConfigFile:
    """The project's configuration table as read, before it is validated."""

    path: Path | None
    root: Path
    table: Mapping[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        if self.path is None:
            return "configuration"
        section = "[tool.soundlint]" if self.path.name == "pyproject.toml" else ""
        return f"{self.path} {section}".strip()


@dataclass(frozen=True)
class Overrides:
    """What the command line says, which wins over the files."""

    profile: str | None = None
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    """The resolved configuration of one run."""

    root: Path
    config_file: Path | None = None
    profile: str = DEFAULT_PROFILE
    select: tuple[str, ...] | None = None
    """None: the rules enabled by default."""
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    rule_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Every rule's options, defaults filled in."""
    scripts: tuple[str, ...] = DEFAULT_SCRIPTS
    script_templates: tuple[tuple[str, str], ...] = ()
    exclude: tuple[str, ...] = ()
    plugins: tuple[str, ...] = ()
    plugin_args: tuple[str, ...] = ()
    """The command line's ``-p`` arguments, for worker processes to load the same plugins."""
    cache_dir: Path = Path(DEFAULT_CACHE_DIR)
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Top-level keys declared by plugins."""


# Finding and reading ------------------------------------------------------------------


def find_config(start: Path) -> Path | None:
    """The nearest soundlint.toml, or pyproject.toml with [tool.soundlint], upward from start."""
    directory = start if start.is_dir() else start.parent
    for candidate in (directory, *directory.parents):
        own = candidate / "soundlint.toml"
        if own.is_file():
            return own
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and "soundlint" in _read_toml(pyproject).get("tool", {}):
            return pyproject
    return None


def default_root(start: Path) -> Path:
    """The project root without a configuration file: the repository holding ``start`` (the
    nearest directory upward with a ``.git`` or ``.hg``); outside a repository, the current
    directory if ``start`` is inside it, else ``start``."""
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists() or (candidate / ".hg").exists():
            return candidate
    cwd = Path.cwd()
    return cwd if start.is_relative_to(cwd) else start


def read_config(path: Path | None, default_root: Path) -> ConfigFile:
    """Read the soundlint table of a config file; no file gives an empty table."""
    if path is None:
        return ConfigFile(None, default_root)
    data = _read_toml(path)
    table = data.get("tool", {}).get("soundlint", {}) if path.name == "pyproject.toml" else data
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.soundlint] must be a table")
    return ConfigFile(path.resolve(), path.resolve().parent, table)


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


def load_profile(name_or_path: str, relative_to: Path) -> dict[str, Any]:
    """A shipped profile by name, or a profile file by path."""
    if name_or_path in profile_names():
        resource = importlib.resources.files("soundlint") / "profiles" / f"{name_or_path}.toml"
        data = tomllib.loads(resource.read_text(encoding="utf-8"))
        origin = f"profile '{name_or_path}'"
    else:
        path = relative_to / name_or_path
        if not path.is_file():
            hint = _did_you_mean(name_or_path, profile_names())
            raise ConfigError(
                f"unknown profile '{name_or_path}'{hint}; "
                f"choose one of {', '.join(profile_names())} or give a path to a .toml file"
            )
        data = _read_toml(path)
        origin = str(path)
    _reject_unknown(data, PROFILE_KEYS, origin)
    return data


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
        if key in table and not isinstance(table[key], expected):
            raise ConfigError(f"{config.label}: '{key}' must be a {expected.__name__}")
    checker = _Validator(rules, config.label)

    profile_name = overrides.profile or table.get("profile", DEFAULT_PROFILE)
    profile = load_profile(profile_name, config.root)
    project_select = checker.selectors(table, "select")
    select = overrides.select
    if select is None:
        select = project_select if project_select is not None else _opt_tuple(profile, "select")
    checker.check_selectors(overrides.select or (), "--select")
    checker.check_selectors(overrides.extend_select, "--extend-select")
    checker.check_selectors(overrides.ignore, "--ignore")

    return Settings(
        root=config.root,
        config_file=config.path,
        profile=profile_name,
        select=select,
        extend_select=(
            *_listed(profile, "extend-select"),
            *(checker.selectors(table, "extend-select") or ()),
            *overrides.extend_select,
        ),
        ignore=(
            *_listed(profile, "ignore"),
            *(checker.selectors(table, "ignore") or ()),
            *overrides.ignore,
        ),
        per_file_ignores=checker.per_file_ignores(table.get("per-file-ignores", {})),
        severity={
            **checker.severities(profile.get("severity", {}), strict=False),
            **checker.severities(table.get("severity", {}), strict=True),
        },
        rule_options=_rule_options(
            rules, profile.get("rules", {}), table.get("rules", {}), checker
        ),
        scripts=tuple(_strings(table, "scripts", config.label) or DEFAULT_SCRIPTS),
        script_templates=tuple(
            (str(pattern), _string(template, f"script-templates.{pattern}", config.label))
            for pattern, template in table.get("script-templates", {}).items()
        ),
        exclude=tuple(_strings(table, "exclude", config.label) or ()),
        plugins=tuple(_strings(table, "plugins", config.label) or ()),
        plugin_args=plugin_args,
        cache_dir=config.root / table.get("cache-dir", DEFAULT_CACHE_DIR),
        extra={key: table.get(key, default) for key, default in plugin_keys.items()},
    )


def plugin_modules(config: ConfigFile) -> list[str]:
    """The local plugin modules a config file asks for, read before plugins are loaded."""
    return _strings(config.table, "plugins", config.label) or []


class _Validator:
    """Checks rule codes, selectors and options against the registered rules."""

    def __init__(self, rules: Mapping[str, Rule], label: str) -> None:
        self.rules = rules
        self.label = label
        self.by_name = {rule.name: code for code, rule in rules.items()}

    def selectors(self, table: Mapping[str, Any], key: str) -> tuple[str, ...] | None:
        if key not in table:
            return None
        values = tuple(_strings(table, key, self.label) or ())
        self.check_selectors(values, f"{self.label}: '{key}'")
        return values

    def check_selectors(self, selectors: tuple[str, ...], where: str) -> None:
        for selector in selectors:
            if selector != "ALL" and not any(code.startswith(selector) for code in self.rules):
                hint = _did_you_mean(selector, list(self.rules))
                raise ConfigError(f"{where}: unknown rule selector '{selector}'{hint}")

    def code(self, key: str, where: str, strict: bool) -> str | None:
        if key in self.rules:
            return key
        if key in self.by_name:
            return self.by_name[key]
        if strict:
            hint = _did_you_mean(key, [*self.rules, *self.by_name])
            raise ConfigError(f"{self.label}: {where}: unknown rule '{key}'{hint}")
        return None

    def severities(self, table: Mapping[str, Any], strict: bool) -> dict[str, Severity]:
        result: dict[str, Severity] = {}
        for key, value in table.items():
            code = self.code(key, "severity", strict)
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


def _rule_options(
    rules: Mapping[str, Rule],
    profile_options: Mapping[str, Any],
    project_options: Mapping[str, Any],
    checker: _Validator,
) -> dict[str, dict[str, Any]]:
    options = {code: rule.defaults for code, rule in rules.items()}
    for layer, strict in ((profile_options, False), (project_options, True)):
        for key, values in layer.items():
            code = checker.code(key, "rules", strict)
            if code is None:
                continue
            if not isinstance(values, dict):
                raise ConfigError(f"{checker.label}: rules.{key} must be a table of options")
            known = {option.name: option for option in rules[code].options}
            for name, value in values.items():
                if name not in known:
                    if not strict:
                        continue
                    hint = _did_you_mean(name, list(known))
                    raise ConfigError(
                        f"{checker.label}: rules.{key}: unknown option '{name}'{hint}"
                    )
                problem = known[name].validate(value)
                if problem:
                    raise ConfigError(f"{checker.label}: rules.{key}.{name}: {problem}")
                options[code][name] = value
    return options


def _reject_unknown(table: Mapping[str, Any], known: set[str], label: str) -> None:
    for key in table:
        if key not in known:
            raise ConfigError(f"{label}: unknown key '{key}'{_did_you_mean(key, sorted(known))}")


def _strings(table: Mapping[str, Any], key: str, label: str) -> list[str] | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{label}: '{key}' must be a list of strings")
    return value


def _string(value: Any, where: str, label: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{label}: '{where}' must be a string")
    return value


def _opt_tuple(table: Mapping[str, Any], key: str) -> tuple[str, ...] | None:
    value = table.get(key)
    return tuple(value) if isinstance(value, list) else None


def _listed(table: Mapping[str, Any], key: str) -> tuple[str, ...]:
    return _opt_tuple(table, key) or ()


def _did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""
