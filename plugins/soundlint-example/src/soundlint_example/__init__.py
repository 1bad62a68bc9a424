"""An example soundlint plugin: one rule with an option."""

from __future__ import annotations

from collections.abc import Iterator

from soundlint import CheckContext, Diagnostic, Option, Rule, Severity, Template, hookimpl

__version__ = "0.1.0"

DESCRIPTION_TOO_SHORT = Rule(
    code="EX001",
    name="description-too-short",
    summary="A template's description is too short to search by.",
    what="The `description` of each template, against the `min-length` option.",
    why="Producers find templates on the platform by searching their descriptions.",
    fix="Describe the mood, instruments and use of the template in a sentence.",
    severity=Severity.WARNING,
    options=(Option("min-length", 20, "the fewest characters a description may have"),),
)


@hookimpl
def soundlint_rules() -> list[Rule]:
    return [DESCRIPTION_TOO_SHORT]


@hookimpl
def soundlint_check_template(template: Template, context: CheckContext) -> Iterator[Diagnostic]:
    description = template.metadata.get("description")
    minimum = context.options("EX001")["min-length"]
    if isinstance(description, str) and 0 < len(description.strip()) < minimum:
        position = template.positions.get("description")
        yield Diagnostic(
            code="EX001",
            message=f"description has {len(description.strip())} characters; "
            f"write at least {minimum}",
            path=template.manifest,
            line=position.line if position else None,
            column=position.column if position else None,
            template=template.name,
        )
