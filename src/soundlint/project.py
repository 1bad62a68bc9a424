"""Discover templates and scripts under the paths being checked, load them and bind scripts."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from soundlint import cachedir, git, globs
from soundlint.config import Settings, config_in
from soundlint.manifest import AUDIO_SUFFIXES
from soundlint.model import Binding, Script, SegmentStatus, Template
from soundlint.plugins import Plugins
from soundlint.reading import read_up_to
from soundlint.words import closest

SKIPPED_DIRECTORIES = frozenset({"node_modules", "__pycache__"})
_DIRECTIVE = re.compile(rb"<!--\s*soundlint:\s*template\s*=")
_DIRECTIVE_WINDOW = 1024 * 1024


@dataclass(frozen=True)
class Project:
    """Every template and script known to a run, and which of them are linted in full."""

    root: Path
    templates: tuple[Template, ...]
    scripts: tuple[Script, ...]
    target_templates: frozenset[Path]
    """Directories of the templates being linted."""
    target_scripts: frozenset[Path]
    nested_roots: tuple[Path, ...] = ()
    """Directories below the root with a configuration of their own: projects of their own,
    left out of this one."""

    @functools.cached_property
    def checked_templates(self) -> tuple[Template, ...]:
        return tuple(t for t in self.templates if t.directory in self.target_templates)

    @functools.cached_property
    def checked_scripts(self) -> tuple[Script, ...]:
        return tuple(s for s in self.scripts if s.path in self.target_scripts)

    def template_named(self, name: str) -> Template | None:
        """The first template (in path order) with this name."""
        return self._templates_by_name.get(name)

    def scripts_bound_to(self, template: Template) -> tuple[Script, ...]:
        """The scripts bound to the template's name, in path order."""
        return self._scripts_by_template.get(template.name, ())

    def template_name_like(self, name: str) -> str | None:
        """The template name ``name`` most likely misspells (None: none is close), worked out
        once a name however many scripts are bound to it."""
        if name not in self._names_like:
            self._names_like[name] = closest(name, self._templates_by_name)
        return self._names_like[name]

    def owns(self, path: Path) -> bool:
        """True when findings about ``path`` belong to something this run lints."""
        return path in self.target_scripts or any(
            directory in self.target_templates for directory in (path, *path.parents)
        )

    @functools.cached_property
    def _templates_by_name(self) -> dict[str, Template]:
        index: dict[str, Template] = {}
        for template in self.templates:
            index.setdefault(template.name, template)
        return index

    @functools.cached_property
    def _names_like(self) -> dict[str, str | None]:
        return {}

    @functools.cached_property
    def _scripts_by_template(self) -> dict[str, tuple[Script, ...]]:
        index: dict[str, list[Script]] = {}
        for script in self.scripts:
            if script.binding is not None:
                index.setdefault(script.binding.template, []).append(script)
        return {name: tuple(scripts) for name, scripts in index.items()}


@dataclass
class _Found:
    manifests: dict[Path, Path]
    """Template directory -> manifest."""
    scripts: set[Path]
    audio_directories: set[Path]
    """Directories holding audio files directly."""
    nested_roots: set[Path]

    def add_orphans(self, paths: list[Path], manifest_name: str) -> None:
        """Treat as templates with a missing manifest: directories of audio files beside other
        templates, and the directories of audio files named outright that no template owns."""
        parents = {directory.parent for directory in self.manifests}
        orphans = {
            directory
            for directory in self.audio_directories
            if directory.parent in parents and _owning_template(directory, self.manifests) is None
        }
        orphans.update(
            path.parent
            for path in paths
            if path.suffix.lower() in AUDIO_SUFFIXES
            and path.exists()
            and _owning_template(path, self.manifests) is None
        )
        for directory in orphans - set(self.manifests):
            self.manifests[directory] = directory / manifest_name


def discover(
    paths: Iterable[Path],
    settings: Settings,
    plugins: Plugins,
    *,
    nested: bool = True,
    named_orphans: bool = True,
) -> Project:
    """Find and load everything under the project root and the given paths. With ``nested``,
    directories holding a configuration of their own are left out, as projects of their own.
    With ``named_orphans``, an audio file named outright that no template owns stands for a
    template whose manifest is missing; without, it is passed over (a hook run's UI sound)."""
    root = settings.root
    paths = [_stands_for(path.resolve(), settings) for path in paths] or [root]
    paths = [path for path in paths if not _excluded_outright(path, root, settings)]
    manifest_names = plugins.manifest_names()
    found = _Found({}, set(), set(), set())
    for scan_root in _scan_roots(root, paths):
        _walk(scan_root, root, settings, manifest_names, found, nested)
    _add_named_files(paths, root, settings, manifest_names, found)
    if manifest_names:
        found.add_orphans(paths if named_orphans else [], manifest_names[0])

    target_templates, target_scripts, a_manifest_named = _targets(paths, found, manifest_names)
    templates = tuple(
        _load_template(found.manifests[directory], directory in target_templates, settings, plugins)
        for directory in sorted(found.manifests, key=_path_order)
    )
    scripts = tuple(
        _bind(script, settings, templates)
        for script in (
            _load_script(path, settings, plugins) for path in sorted(found.scripts, key=_path_order)
        )
    )
    checked_names = {t.name for t in templates if t.directory in target_templates}
    target_scripts.update(
        s.path for s in scripts if s.binding is not None and s.binding.template in checked_names
    )
    if a_manifest_named:
        names = {t.name for t in templates}
        target_scripts.update(s.path for s in scripts if _may_be_rebound(s, names))
    return Project(
        root,
        templates,
        scripts,
        frozenset(target_templates),
        frozenset(target_scripts),
        tuple(sorted(found.nested_roots)),
    )


def _path_order(path: Path) -> tuple[str, ...]:
    """A sort key giving the order ``sorted`` gives Paths, five times faster: tuples of parts
    compare without Path building them again for every comparison."""
    return path.parts


def _stands_for(path: Path, settings: Settings) -> Path:
    """What a path named outright stands for: a configuration file (changed, added or
    deleted) for its directory, the project's own profile file for the whole project. Any
    pyproject.toml counts: it may just have lost its [tool.soundlint] table."""
    if path.name in ("soundlint.toml", "pyproject.toml") or path == settings.config_file:
        return path.parent
    if path == settings.profile_file:
        return settings.root
    return path


def _targets(
    paths: list[Path], found: _Found, manifest_names: list[str]
) -> tuple[set[Path], set[Path], bool]:
    """The template directories and scripts that ``paths`` stand for (a file, or a directory
    inside a template, stands for its whole template), and whether a manifest is among them."""
    templates: set[Path] = set()
    scripts: set[Path] = set()
    a_manifest_named = False
    for path in paths:
        owner = _owning_template(path, found.manifests)
        if owner is not None:
            templates.add(owner)
        elif path.is_dir():
            templates.update(d for d in found.manifests if d.is_relative_to(path))
            scripts.update(s for s in found.scripts if s.is_relative_to(path))
        elif path in found.scripts:
            scripts.add(path)
        a_manifest_named = a_manifest_named or (path.name in manifest_names and not path.is_dir())
    return templates, scripts, a_manifest_named


def _may_be_rebound(script: Script, names: set[str]) -> bool:
    """Whether a manifest named (changed, added, renamed or deleted) may have changed which
    template ``script`` is bound to: bound to no template, to "the only template", or to a
    name no template has now (the manifest's old name, perhaps). A script bound by name to a
    template that exists is that template's (and among the named one's when it took the name)."""
    binding = script.binding
    return binding is None or binding.source == "only-template" or binding.template not in names


def _scan_roots(root: Path, paths: list[Path]) -> list[Path]:
    outside = [p if p.is_dir() else p.parent for p in paths if not p.is_relative_to(root)]
    return [root, *sorted(set(outside))]


def _walk(
    scan_root: Path,
    root: Path,
    settings: Settings,
    manifest_names: list[str],
    found: _Found,
    nested: bool,
) -> None:
    ignored = git.ignored_under(scan_root) if settings.respect_gitignore else git.NOTHING
    cache = _absolute(settings.cache_dir)
    for directory, subdirectories, files in os.walk(scan_root):
        here = Path(directory)
        if here == cache or cachedir.MARKER_NAME in files:
            subdirectories.clear()
            continue
        prefix = _relative_prefix(here, root)
        if ignored:
            subdirectories[:] = [name for name in subdirectories if here / name not in ignored]
            files = [name for name in files if here / name not in ignored]
        subdirectories[:] = sorted(
            name
            for name in subdirectories
            if not name.startswith(".")
            and name not in SKIPPED_DIRECTORIES
            and not _excluded_relative(prefix + name, settings)
        )
        if nested:
            projects = {name for name in subdirectories if config_in(here / name) is not None}
            found.nested_roots.update(here / name for name in projects)
            subdirectories[:] = [name for name in subdirectories if name not in projects]
        for name in manifest_names:
            if name in files or name in subdirectories:  # a directory: reported unreadable
                found.manifests.setdefault(here, here / name)
        if any(os.path.splitext(name)[1].lower() in AUDIO_SUFFIXES for name in files):
            found.audio_directories.add(here)
        for name in files:
            relative = prefix + name
            if globs.matches_any(settings.scripts, relative) and not _excluded_relative(
                relative, settings
            ):
                found.scripts.add(here / name)


def _relative_prefix(directory: Path, root: Path) -> str:
    """What joins a name in ``directory`` into its path relative to ``root`` ('' at the root)."""
    relative = _relative(directory, root)
    if relative == ".":
        return ""
    return relative if relative.endswith("/") else relative + "/"


def _add_named_files(
    paths: list[Path], root: Path, settings: Settings, manifest_names: list[str], found: _Found
) -> None:
    """Files named outright count where the walk did not look (ignored by git), unless the
    configuration excludes them; one holding a binding directive is a script wherever it is.
    A file that is gone (deleted by the commit being checked) is no input: it only says which
    templates and scripts to check again."""
    cache = _absolute(settings.cache_dir)
    for path in paths:
        if path.is_dir() or not os.path.lexists(path) or _in_a_cache(path, root, cache):
            continue
        manifest = _manifest_above(path, root, manifest_names)
        if manifest is not None:
            found.manifests.setdefault(manifest.parent, manifest)
        elif globs.matches_any(settings.scripts, _relative(path, root)) or _has_directive(path):
            found.scripts.add(path)


def _absolute(path: Path) -> Path:
    """``path`` made absolute and normal (``..`` resolved by name, as the walk sees it)."""
    return Path(os.path.abspath(path))


def _in_a_cache(path: Path, root: Path, cache: Path) -> bool:
    """True for a file in this run's cache, or in any directory marked as soundlint's cache."""
    return any(
        directory == cache or os.path.isfile(directory / cachedir.MARKER_NAME)
        for directory in _up_to(path, root)[1:]
    )


def _has_directive(path: Path) -> bool:
    """True for a file (not audio) with a ``<!-- soundlint: template=NAME -->`` comment."""
    if path.suffix.lower() in AUDIO_SUFFIXES:
        return False
    try:
        with path.open("rb") as stream:
            return _DIRECTIVE.search(read_up_to(stream, _DIRECTIVE_WINDOW)) is not None
    except OSError:
        return False


def _excluded_outright(path: Path, root: Path, settings: Settings) -> bool:
    """A path named outright that ``exclude`` matches, itself or through a parent."""
    return any(_excluded(p, root, settings) for p in _up_to(path, root))


def _up_to(path: Path, root: Path) -> list[Path]:
    """``path`` and its parents below ``root``."""
    return [path, *(p for p in path.parents if p.is_relative_to(root) and p != root)]


def _manifest_above(path: Path, root: Path, manifest_names: list[str]) -> Path | None:
    for directory in _up_to(path, root)[1:] or [path.parent]:
        for name in manifest_names:
            if os.path.lexists(directory / name):
                return directory / name
    return None


def _excluded(path: Path, root: Path, settings: Settings) -> bool:
    return bool(settings.exclude) and _excluded_relative(_relative(path, root), settings)


def _excluded_relative(relative: str, settings: Settings) -> bool:
    return bool(settings.exclude) and globs.matches_any(settings.exclude, relative)


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()


def _owning_template(path: Path, manifests: dict[Path, Path]) -> Path | None:
    for directory in path.parents:
        if directory in manifests:
            return directory
    return None


def _load_template(
    manifest: Path, with_audio: bool, settings: Settings, plugins: Plugins
) -> Template:
    template = plugins.load_template(manifest, settings)
    if template is None:
        return Template(name=manifest.parent.name, directory=manifest.parent, manifest=manifest)
    if not with_audio:
        return template
    segments = tuple(
        replace(segment, audio=plugins.read_audio_info(segment.path))
        if segment.status is SegmentStatus.OK
        else segment
        for segment in template.segments
    )
    return replace(template, segments=segments)


def _load_script(path: Path, settings: Settings, plugins: Plugins) -> Script:
    script = plugins.load_script(path, settings)
    return script if script is not None else Script(path=path, text="")


def _bind(script: Script, settings: Settings, templates: tuple[Template, ...]) -> Script:
    """Bind a script not bound by its own directive or payload: config table, or the only one."""
    if script.binding is not None:
        return script
    relative = _relative(script.path, settings.root)
    for pattern, template in settings.script_templates:
        if globs.matches(pattern, relative):
            return replace(script, binding=Binding(template, "config"))
    if len(templates) == 1:
        return replace(script, binding=Binding(templates[0].name, "only-template"))
    return script
