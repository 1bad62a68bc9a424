"""NM rules: template and segment names are unique and fit in an API URL path."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator

from soundlint.checks.where import at_manifest, at_segment_entry
from soundlint.engine import CheckContext
from soundlint.hookspecs import hookimpl
from soundlint.model import Diagnostic, Template
from soundlint.paths import relative_path
from soundlint.project import Project
from soundlint.rule import Rule
from soundlint.words import encoded_differently, folded

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_NAME_LENGTH = 64
_NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")
_NOT_NAME = re.compile(r"[^a-z0-9_-]+")

NM001 = Rule(
    code="NM001",
    name="duplicate-template-name",
    summary="Two templates have the same name (ignoring case).",
    what="Template names, from `name` or the directory name, compared case-insensitively across "
    "the project. Each template is reported with the other's location.",
    why="Template names must be unique on the platform: the second upload would replace or "
    "collide with the first.",
    fix='Rename one of the templates (`name = "..."` in its template.toml).',
)
NM002 = Rule(
    code="NM002",
    name="duplicate-segment-name",
    summary="Two segments of a template have names equal ignoring case or Unicode normalisation.",
    what="Segment names within one template compared ignoring case and Unicode normalisation "
    "(an accented letter written as one character or as a letter and a combining mark). Each "
    "name is reported once, at its entry, naming the first of the names it equals.",
    why="Scripts select segments by name; names differing only in case, or looking the same "
    "but encoded differently, are ambiguous.",
    example='```toml\n[segments]\nIntro = "a.wav"\nintro = "b.wav"\n```',
    fix="Give each segment a distinct name.",
)
NM003 = Rule(
    code="NM003",
    name="invalid-name",
    summary="A template or segment name is not a lowercase URL-safe identifier.",
    what="Names must be lowercase letters, digits, `_` and `-`, starting with a letter or "
    f"digit, at most 64 characters (`{NAME_PATTERN.pattern}`). The message says which "
    "characters are wrong (combining marks and invisible ones escaped, `\\u0301`) and "
    "suggests a valid name.",
    why="Names go into API URL paths; other characters break or change the URL.",
    example='```toml\nname = "Epic Trailer #1"\n```',
    fix='Use e.g. `name = "epic-trailer-1"`.',
)


@hookimpl
def soundlint_rules() -> Iterable[Rule]:
    return [NM001, NM002, NM003]


@hookimpl
def soundlint_check_template(template: Template) -> Iterator[Diagnostic]:
    if template.error is not None:
        return
    if not NAME_PATTERN.match(template.name):
        yield at_manifest(
            "NM003",
            invalid_name("template", template.name),
            template,
            "name",
        )
    first_of: dict[str, str] = {}
    for segment in template.segments:
        if not NAME_PATTERN.match(segment.name):
            yield at_segment_entry(
                "NM003",
                invalid_name("segment", segment.name),
                template,
                segment,
            )
        first = first_of.setdefault(folded(segment.name), segment.name)
        if first != segment.name:
            yield at_segment_entry("NM002", _alike(segment.name, first), template, segment)


def _alike(name: str, twin: str) -> str:
    """How a segment name differs from one equal to it ignoring case and normalisation."""
    how = encoded_differently(name, twin)
    if how is not None:
        return (
            f"segment '{name}' looks the same as '{twin}' but is encoded in another Unicode "
            f"normalisation {how}"
        )
    if name.casefold() == twin.casefold():
        return f"segment '{name}' differs only in case from '{twin}'"
    return f"segment '{name}' differs only in case and Unicode normalisation from '{twin}'"


def invalid_name(kind: str, name: str) -> str:
    """What is wrong with a name that does not match NAME_PATTERN, in words, and a fix."""
    has = []
    if any(character.isupper() for character in name):
        has.append("uppercase letters")
    others = dict.fromkeys(
        c
        for c in name
        if c not in _NAME_CHARACTERS and not (c.isupper() and c.lower() in _NAME_CHARACTERS)
    )
    if others:
        has.append(", ".join(f"'{_shown(character)}'" for character in others))
    clauses = [f"has {' and '.join(has)}"] if has else []
    if name[:1] in ("_", "-"):
        clauses.append(f"starts with '{name[0]}'")
    if len(name) > MAX_NAME_LENGTH:
        clauses.append(f"is {len(name)} characters long, more than {MAX_NAME_LENGTH}")
    message = f"{kind} name '{name}' " + (", ".join(clauses) or "is empty")
    if has or name[:1] in ("_", "-"):
        message += (
            "; a name is lowercase letters, digits, '_' and '-', starting with a letter or digit"
        )
    suggestion = _slug(name)
    return message + (f": try '{suggestion}'" if suggestion else "")


def _shown(character: str) -> str:
    """The character, or its escape if it would not show by itself (a control character, a
    combining mark that would sit on the quote)."""
    if character.isprintable() and not unicodedata.category(character).startswith("M"):
        return character
    return character.encode("unicode_escape").decode()


def _slug(name: str) -> str | None:
    """The valid name closest to ``name``: ASCII, lowercase, other characters as '-'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = _NOT_NAME.sub("-", ascii_name.lower()).strip("-").lstrip("_")[:MAX_NAME_LENGTH]
    return slug if NAME_PATTERN.match(slug) else None


@hookimpl
def soundlint_check_project(project: Project, context: CheckContext) -> Iterator[Diagnostic]:
    by_folded: dict[str, list[Template]] = defaultdict(list)
    for template in project.templates:
        by_folded[template.name.casefold()].append(template)
    for group in by_folded.values():
        for template in group:
            others = [t for t in group if t is not template]
            if not others:
                continue
            where = ", ".join(relative_path(t.manifest, project.root) for t in others)
            yield at_manifest(
                "NM001",
                f"template name '{template.name}' is also used by {where}",
                template,
                "name",
            )
