"""NM rules: template and segment names are unique and fit in an API URL path."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator

from soundlint.checks.where import at_manifest, at_segment_entry
from soundlint.engine import CheckContext
from soundlint.hookspecs import hookimpl
from soundlint.model import Diagnostic, Template
from soundlint.paths import relative_path
from soundlint.project import Project
from soundlint.rule import Rule

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")

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
    summary="Two segments of a template have names equal ignoring case.",
    what="Segment names within one template compared case-insensitively.",
    why="Scripts select segments by name; names differing only in case are ambiguous.",
    example='```toml\n[segments]\nIntro = "a.wav"\nintro = "b.wav"\n```',
    fix="Give each segment a distinct name.",
)
NM003 = Rule(
    code="NM003",
    name="invalid-name",
    summary="A template or segment name is not a lowercase URL-safe identifier.",
    what=f"Names must match `{NAME_PATTERN.pattern}`: lowercase letters, digits, `_` and `-`, "
    "starting with a letter or digit, at most 64 characters.",
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
            f"template name '{template.name}' must match {NAME_PATTERN.pattern}",
            template,
            "name",
        )
    by_folded: dict[str, list[str]] = defaultdict(list)
    for segment in template.segments:
        if not NAME_PATTERN.match(segment.name):
            yield at_segment_entry(
                "NM003",
                f"segment name '{segment.name}' must match {NAME_PATTERN.pattern}",
                template,
                segment,
            )
        by_folded[segment.name.casefold()].append(segment.name)
    for segment in template.segments:
        twins = [n for n in by_folded[segment.name.casefold()] if n != segment.name]
        if twins:
            yield at_segment_entry(
                "NM002",
                f"segment '{segment.name}' differs only in case from '{twins[0]}'",
                template,
                segment,
            )


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
