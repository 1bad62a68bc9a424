"""SC rules: scripts are well-formed AudioStack markup naming segments that exist."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

from soundlint.checks.where import at_position, at_segment_entry
from soundlint.engine import CheckContext
from soundlint.hookspecs import hookimpl
from soundlint.model import Diagnostic, Directive, Element, Script, Severity, Template
from soundlint.rule import Rule
from soundlint.words import closest, did_you_mean, enumeration

KNOWN_TAGS: dict[str, frozenset[str]] = {
    "as:section": frozenset({"name", "soundSegment", "soundsegment"}),
    "as:sub": frozenset({"name"}),
    "as:placeholder": frozenset({"id"}),
    "as:break": frozenset({"time", "strength"}),
    "as:fx": frozenset({"name", "id"}),
    "as:media": frozenset({"name", "id"}),
    "as:prosody": frozenset({"rate", "pitch", "volume"}),
}
BREAK_TIME = re.compile(r"^\d+(\.\d+)?(ms|s)$")
BREAK_STRENGTHS = frozenset({"none", "x-weak", "weak", "medium", "strong", "x-strong"})

SC001 = Rule(
    code="SC001",
    name="malformed-markup",
    summary="A script is not well-formed markup, or cannot be read.",
    what="The script, parsed as an XML fragment (or the `scriptText` of a JSON payload), with "
    "the exact line and column of the first error in your own file. DOCTYPEs and entities "
    "are refused. A script that cannot be read at all (no permission, over 1 MB, not UTF-8, "
    "not JSON) is one SC001 saying why, and no other finding.",
    why="The platform rejects malformed scripts when the Mix is requested.",
    example='```xml\n<as:section name="intro" soundSegment="intro">Hello\n```',
    fix="Close the tag, quote the attribute, or escape `<` and `&` as `&lt;` and `&amp;`.",
)
SC002 = Rule(
    code="SC002",
    name="unknown-sound-segment",
    summary="A section's soundSegment names no segment of the bound template.",
    what="Each non-empty `soundSegment` (or `soundsegment`) against the segment names of the "
    "template the script is bound to; the message suggests the closest name, or says that "
    "one looks the same but is in another Unicode normalisation (NFC vs NFD). A template that "
    "lists no segments (its `[segments]` table missing, misspelt or empty: MD002 or MD007) "
    "gives one finding a script, not one a section.",
    why="The Mix fails on the server when a section asks for a segment the template lacks.",
    example='```xml\n<as:section name="body" soundSegment="mian">...</as:section>\n```',
    fix="Use one of the template's segment names, or leave `soundSegment` empty for no music.",
)
SC003 = Rule(
    code="SC003",
    name="unknown-tag",
    summary="An unknown `as:` tag or attribute.",
    what="`as:` elements other than section, sub, placeholder, break, fx, media and prosody, "
    "and attributes those elements do not take.",
    why="Usually a typo (`as:secton`, `soundSegmnet`) that the platform would ignore or reject.",
    fix="Correct the tag or attribute name.",
)
SC004 = Rule(
    code="SC004",
    name="misplaced-section",
    summary="A nested section, a nested sub, or a sub outside a section.",
    what="`as:section` inside another section; `as:sub` inside another sub or outside any section.",
    why="Sections are not nested on the platform and subs belong to a section; the Mix fails "
    "or places the music wrongly.",
    fix="Close the outer section first, or move the sub inside a section.",
)
SC005 = Rule(
    code="SC005",
    name="duplicate-section-name",
    summary="Two sections of a script have the same name.",
    what="Section `name` attributes repeated within one script.",
    why="Section names identify sections in the API's response and in later edits.",
    fix="Give each section a distinct name.",
    severity=Severity.WARNING,
)
SC006 = Rule(
    code="SC006",
    name="invalid-break",
    summary="An `as:break` has neither a valid time nor a valid strength.",
    what="`time` must look like `400ms` or `0.5s`; `strength` must be one of "
    + ", ".join(sorted(BREAK_STRENGTHS))
    + ".",
    why="An invalid break is rejected or silently dropped by the speech engine.",
    example='```xml\n<as:break time="1 second"/>\n```',
    fix='Write `time="1s"` or `strength="medium"`.',
)
SC007 = Rule(
    code="SC007",
    name="legacy-syntax",
    summary="The pre-2023 `<<key::value>>` syntax.",
    what="Tokens such as `<<soundSegment::intro>>` or `<<sectionName::intro>>`.",
    why="The platform no longer accepts the old syntax.",
    example="```\n<<sectionName::intro>><<soundSegment::intro>>Welcome!\n```",
    fix='Use `<as:section name="intro" soundSegment="intro">Welcome!</as:section>`.',
)
SC008 = Rule(
    code="SC008",
    name="unbound-script",
    summary="A script is bound to no template, or to one that does not exist.",
    what="Scripts are bound by, in order: the JSON payload's `soundTemplate`, a "
    "`<!-- soundlint: template=NAME -->` comment, the `script-templates` table of the "
    "configuration, or the project "
    "having a single template; once a second template appears, that last binding no longer "
    "applies, and the message says so.",
    why="Without a template, the segment names the script uses cannot be checked.",
    fix="Add the directive comment, or map the script in `script-templates`.",
)
SC009 = Rule(
    code="SC009",
    name="unused-segment",
    summary="A segment that no bound script uses.",
    what="Segments of a template that no section of the scripts bound to it names. Only "
    "reported for templates that have bound scripts.",
    why="An unused segment may be a misspelt one, or dead weight in the upload.",
    fix="Use the segment in a script, or remove it from the template.",
    severity=Severity.INFO,
)

SC010 = Rule(
    code="SC010",
    name="invalid-directive",
    summary="A `soundlint:` comment directive soundlint cannot use.",
    what="A `<!-- soundlint: KEY=VALUE -->` comment whose key is not `template` (the message "
    "suggests the key it is closest to), a second `template=` directive naming another "
    "template than the first, or, in a JSON payload's `scriptText`, a `template=` directive "
    "naming another template than its `soundTemplate` (which binds the script, as on "
    "AudioStack).",
    why="A misspelt directive binds nothing, so the script is checked against the wrong "
    "template or none; of two directives only the first binds, which the author may not "
    "expect; in a JSON payload the platform goes by `soundTemplate`, whatever a directive says.",
    example="```xml\n<!-- soundlint: tempalte=epic1 -->\n```",
    fix="Spell the directive `template=NAME`, and keep one template directive per script.",
)
DIRECTIVE_KEYS = ("template",)
SHOWN_TEMPLATES = 3
"""How many template names SC008 lists."""


@hookimpl
def soundlint_rules() -> Iterable[Rule]:
    return [SC001, SC002, SC003, SC004, SC005, SC006, SC007, SC008, SC009, SC010]


@hookimpl
def soundlint_check_script(
    script: Script, template: Template | None, context: CheckContext
) -> Iterator[Diagnostic]:
    for token, position in script.legacy:
        yield at_position(
            "SC007", f"legacy syntax '{token}' is no longer accepted", script.path, position
        )
    yield from _directives(script)
    if not _unread(script) and not _misspelt_directive(script):
        yield from _binding(script, template, context)
    if script.error is not None:
        yield at_position("SC001", script.error.message, script.path, script.error.position)
        return
    for element in script.elements:
        yield from _element(script, element)
    yield from _duplicate_sections(script)
    if template is not None and template.error is None:
        yield from _sound_segments(script, template)


def _unread(script: Script) -> bool:
    """The file could not be read (no permission, too large, not UTF-8, not JSON)."""
    return script.error is not None and not script.text


def _misspelt_directive(script: Script) -> bool:
    """An unbound script with a directive that probably meant ``template``: SC010 says it."""
    return script.binding is None and any(
        closest(directive.key, DIRECTIVE_KEYS) == "template" for directive in script.directives
    )


def _directives(script: Script) -> Iterator[Diagnostic]:
    payload = script.binding if script.binding and script.binding.source == "json" else None
    first: Directive | None = None
    for directive in script.directives:
        if directive.key not in DIRECTIVE_KEYS:
            message = f"unknown directive '{directive.key}'" + _suggest(
                directive.key, list(DIRECTIVE_KEYS)
            )
            yield at_position("SC010", message, script.path, directive.position)
        elif payload is not None:
            if directive.value != payload.template:
                message = (
                    f"template directive names '{directive.value}', but the payload's "
                    f"soundTemplate names '{payload.template}'; AudioStack uses soundTemplate, "
                    "and soundlint checks the script against it"
                )
                yield at_position("SC010", message, script.path, directive.value_position)
        elif first is None:
            first = directive
        elif directive.value != first.value:
            message = (
                f"template directive names '{directive.value}', but the one at line "
                f"{first.position.line} names '{first.value}'; a script is bound to one template"
            )
            yield at_position("SC010", message, script.path, directive.value_position)


def _binding(
    script: Script, template: Template | None, context: CheckContext
) -> Iterator[Diagnostic]:
    binding = script.binding
    if binding is None:
        yield at_position(
            "SC008",
            f"script is bound to no template{_why_unbound(context.project.templates)}; add "
            "<!-- soundlint: template=NAME --> or map it in script-templates",
            script.path,
            None,
        )
    elif template is None:
        yield at_position(
            "SC008",
            f"script is bound to template '{binding.template}', which does not exist"
            + did_you_mean(binding.template, context.project.template_name_like(binding.template)),
            script.path,
            binding.position,
            template=binding.template,
        )


def _why_unbound(templates: Sequence[Template]) -> str:
    """With several templates, the binding to the only one is gone: say so."""
    if len(templates) < 2:
        return ""
    names = [f"'{name}'" for name in sorted(t.name for t in templates)[:SHOWN_TEMPLATES]]
    listed = enumeration(names) if len(templates) <= SHOWN_TEMPLATES else ", ".join(names) + ", ..."
    return (
        f": the project now has {len(templates)} templates ({listed}), so binding a script to "
        "the only template no longer applies"
    )


def _element(script: Script, element: Element) -> Iterator[Diagnostic]:
    if element.tag.startswith("as:"):
        known = KNOWN_TAGS.get(element.tag)
        if known is None:
            yield at_position(
                "SC003",
                f"unknown tag <{element.tag}>" + _suggest(element.tag, list(KNOWN_TAGS)),
                script.path,
                element.position,
            )
        else:
            for attribute in element.attributes:
                if attribute.name not in known:
                    takes = ", ".join(sorted(known))
                    yield at_position(
                        "SC003",
                        f"<{element.tag}> has no attribute '{attribute.name}' (it takes {takes})"
                        + _suggest(attribute.name, sorted(known)),
                        script.path,
                        attribute.position,
                    )
    yield from _placement(script, element)
    if element.tag == "as:break":
        yield from _break(script, element)


def _placement(script: Script, element: Element) -> Iterator[Diagnostic]:
    if element.tag == "as:section" and "as:section" in element.ancestors:
        yield at_position(
            "SC004", "section nested inside another section", script.path, element.position
        )
    elif element.tag == "as:sub" and "as:sub" in element.ancestors:
        yield at_position("SC004", "sub nested inside another sub", script.path, element.position)
    elif element.tag == "as:sub" and "as:section" not in element.ancestors:
        yield at_position("SC004", "sub outside any section", script.path, element.position)


def _break(script: Script, element: Element) -> Iterator[Diagnostic]:
    time = element.attribute("time")
    strength = element.attribute("strength")
    if time is not None and BREAK_TIME.match(time.value):
        return
    if strength is not None and strength.value in BREAK_STRENGTHS:
        return
    if time is not None:
        message = f"break time '{time.value}' is not like '400ms' or '0.5s'"
        where = time.position
    elif strength is not None:
        message = (
            f"break strength '{strength.value}' is not one of {', '.join(sorted(BREAK_STRENGTHS))}"
        )
        where = strength.position
    else:
        message = "break has neither a time nor a strength"
        where = element.position
    yield at_position("SC006", message, script.path, where)


def _duplicate_sections(script: Script) -> Iterator[Diagnostic]:
    counts = Counter(s.name for s in script.sections if s.name)
    seen: set[str] = set()
    for section in script.sections:
        if section.name and counts[section.name] > 1:
            if section.name in seen:
                yield at_position(
                    "SC005",
                    f"section name '{section.name}' is used {counts[section.name]} times",
                    script.path,
                    section.position,
                )
            seen.add(section.name)


def _sound_segments(script: Script, template: Template) -> Iterator[Diagnostic]:
    names = [segment.name for segment in template.segments]
    if not names:
        yield from _no_segments(script, template)
        return
    for section in script.sections:
        wanted = section.sound_segment
        if wanted and wanted not in names:
            yield at_position(
                "SC002",
                f"soundSegment '{wanted}' is not a segment of template '{template.name}'"
                + _suggest(wanted, names),
                script.path,
                section.sound_segment_position or section.position,
                template=template.name,
                segment=wanted,
            )


def _no_segments(script: Script, template: Template) -> Iterator[Diagnostic]:
    """One finding for a template listing no segments (its MD finding says why), not one a
    section."""
    wanting = [section for section in script.sections if section.sound_segment]
    if not wanting:
        return
    first = wanting[0]
    others = len({section.sound_segment for section in wanting} - {first.sound_segment})
    also = f" and the script's {others} other segment name{'s' * (others > 1)}" if others else ""
    yield at_position(
        "SC002",
        f"soundSegment '{first.sound_segment}'{also} cannot be checked: template "
        f"'{template.name}' lists no segments (see the findings on its template.toml)",
        script.path,
        first.sound_segment_position or first.position,
        template=template.name,
    )


@hookimpl
def soundlint_check_template(template: Template, context: CheckContext) -> Iterator[Diagnostic]:
    if template.error is not None or not context.enabled("SC009"):
        return
    scripts = [s for s in context.project.scripts_bound_to(template) if s.error is None]
    if not scripts:
        return
    used = {section.sound_segment for s in scripts for section in s.sections}
    for segment in template.segments:
        if segment.name not in used:
            yield at_segment_entry(
                "SC009",
                f"segment '{segment.name}' is used by none of the scripts bound to this template",
                template,
                segment,
            )


def _suggest(word: str, choices: list[str]) -> str:
    return did_you_mean(word, closest(word, choices))
