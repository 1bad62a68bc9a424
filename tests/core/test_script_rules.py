"""SC rules through `soundlint check`: positions in the user's own file, bindings, suggestions."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from tests.conftest import write_template

DIRECTIVE = "<!-- soundlint: template=epic -->\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_template(tmp_path / "epic", {"intro": "intro.wav", "main": "main.wav"})
    (tmp_path / "scripts").mkdir()
    return tmp_path


def _lint(project: Path, check, text: str, name: str = "s.xml", *args: str) -> list[tuple]:
    (project / "scripts" / name).write_text(text)
    result = check("--ignore", "SC009", *args)
    return [(d["code"], d["line"], d["column"], d["message"]) for d in result.json["diagnostics"]]


def test_clean_script(project: Path, check) -> None:
    text = DIRECTIVE + (
        '<as:section name="a" soundSegment="intro">Hi <as:break time="0.5s"/></as:section>\n'
        '<as:section name="b" soundsegment="main">'
        '<as:sub name="x">Sub</as:sub> <as:break strength="weak"/>'
        '<as:placeholder id="who">you</as:placeholder> <break time="300ms"/></as:section>\n'
        '<as:section name="c" soundSegment="">No music</as:section>\n'
    )
    assert _lint(project, check, text) == []


def test_plain_text_script_is_valid(project: Path, check) -> None:
    assert _lint(project, check, DIRECTIVE + "Just words, no tags.\n") == []


def test_sc001_position_in_markup(project: Path, check) -> None:
    text = DIRECTIVE + '<as:section name="a">\n  text <as:sub>open\n</as:section>\n'
    [(code, line, column, message)] = _lint(project, check, text)
    assert (code, line, column) == ("SC001", 4, 1)
    assert "as:sub" in message and "soundlint-root" not in message


def test_sc001_position_inside_a_json_payload(project: Path, check) -> None:
    payload = {"scriptText": 'Hello\n<as:section name="a">x</as:sectoin>', "soundTemplate": "epic"}
    text = json.dumps(payload)
    [(code, line, column, _)] = _lint(project, check, text, "s.json")
    assert (code, line) == ("SC001", 1)
    assert text[column - 1 : column + 1] == "</"


def test_sc002_unknown_segment_with_suggestion(project: Path, check) -> None:
    text = DIRECTIVE + '<as:section name="a"\n    soundSegment="mian">x</as:section>\n'
    [(code, line, column, message)] = _lint(project, check, text)
    assert (code, line, column) == ("SC002", 3, 19)
    assert (
        message == "soundSegment 'mian' is not a segment of template 'epic'; did you mean 'main'?"
    )


def test_sc002_case_difference_is_suggested(project: Path, check) -> None:
    [(code, *_, message)] = _lint(
        project, check, DIRECTIVE + '<as:section soundSegment="Intro">x</as:section>'
    )
    assert code == "SC002" and message.endswith("did you mean 'intro'?")


def test_sc003_unknown_tag_and_attribute(project: Path, check) -> None:
    text = DIRECTIVE + '<as:secton name="a">x</as:secton>\n<as:section soundSegmnet="main"/>\n'
    found = _lint(project, check, text)
    assert [(c, line, col) for c, line, col, _ in found] == [("SC003", 2, 1), ("SC003", 3, 13)]
    assert "did you mean 'as:section'" in found[0][3]
    assert "did you mean 'soundSegment'" in found[1][3]


@pytest.mark.parametrize(
    ("markup", "message"),
    [
        ("<as:section><as:section>x</as:section></as:section>", "section nested inside"),
        ("<as:section><as:sub><as:sub>x</as:sub></as:sub></as:section>", "sub nested inside"),
        ("<as:sub>x</as:sub>", "sub outside any section"),
    ],
)
def test_sc004_misplaced_sections_and_subs(project: Path, check, markup: str, message: str) -> None:
    [(code, line, _, text)] = _lint(project, check, DIRECTIVE + markup)
    assert (code, line) == ("SC004", 2) and message in text


def test_sc005_duplicate_section_names(project: Path, check) -> None:
    text = DIRECTIVE + '<as:section name="a">x</as:section>\n<as:section name="a">y</as:section>'
    [(code, line, column, _)] = _lint(project, check, text)
    assert (code, line, column) == ("SC005", 3, 1)


@pytest.mark.parametrize(
    ("attributes", "ok"),
    [
        ('time="400ms"', True),
        ('time="1.5s"', True),
        ('strength="x-strong"', True),
        ('time="1 second"', False),
        ('time="-1s"', False),
        ('strength="loud"', False),
        ("", False),
    ],
)
def test_sc006_break_time_or_strength(project: Path, check, attributes: str, ok: bool) -> None:
    found = _lint(
        project, check, DIRECTIVE + f"<as:section>a <as:break {attributes}/></as:section>"
    )
    assert [code for code, *_ in found] == ([] if ok else ["SC006"])


def test_sc007_legacy_syntax(project: Path, check) -> None:
    text = DIRECTIVE + "Hello <<soundSegment::intro>> there"
    found = _lint(project, check, text, "s.txt")
    assert ("SC007", 2, 7, "legacy syntax '<<soundSegment::intro>>' is no longer accepted") in found


def test_sc008_unbound_and_missing_template(project: Path, check) -> None:
    write_template(project / "other")
    assert [c for c, *_ in _lint(project, check, "Hello")] == ["SC008"]
    found = _lint(project, check, "<!-- soundlint: template=epik -->\nHello")
    assert [(c, line) for c, line, *_ in found] == [("SC008", 1)]


def test_sc008_says_a_second_template_ends_the_only_template_binding(project: Path, check) -> None:
    assert _lint(project, check, "Hello") == []
    write_template(project / "other")
    [(code, _, _, message)] = _lint(project, check, "Hello")
    assert (code, message) == (
        "SC008",
        "script is bound to no template: the project now has 2 templates ('epic' and 'other'), "
        "so binding a script to the only template no longer applies; add "
        "<!-- soundlint: template=NAME --> or map it in script-templates",
    )


def test_sc008_json_binding(project: Path, check) -> None:
    write_template(project / "other")
    payload = json.dumps({"scriptText": "Hi", "soundTemplate": "epic"})
    assert _lint(project, check, payload, "s.json") == []


def test_sc009_unused_segment_is_info(project: Path, check) -> None:
    (project / "scripts" / "s.xml").write_text(
        DIRECTIVE + '<as:section soundSegment="intro">x</as:section>'
    )
    result = check()
    [diagnostic] = result.json["diagnostics"]
    assert (diagnostic["code"], diagnostic["severity"], diagnostic["segment"]) == (
        "SC009",
        "info",
        "main",
    )
    assert result.code == 0 and check("--strict").code == 0


def test_sc007_legacy_token_alone_and_later_markup_errors_still_found(project: Path, check) -> None:
    text = (
        DIRECTIVE
        + "Hello <<soundSegment::intro>> and <<sectionName::a>>\n"
        + "<as:section soundSegment='main'>\n"
        + "fine\n"
        + "</as:section>\n"
        + "Fish & chips\n"
    )
    found = _lint(project, check, text, "s.txt")
    assert [(code, line, column) for code, line, column, _ in found] == [
        ("SC007", 2, 7),
        ("SC007", 2, 35),
        ("SC001", 6, 6),
    ]


def test_sc007_legacy_tokens_in_a_valid_script_leave_its_sections_checked(
    project: Path, check
) -> None:
    text = DIRECTIVE + "<<soundSegment::intro>>\n<as:section soundSegment='mian'>x</as:section>\n"
    found = _lint(project, check, text, "s.txt")
    assert [(code, line) for code, line, *_ in found] == [("SC007", 2), ("SC002", 3)]


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"caf\xe9 <as:section/>", "not valid UTF-8"),
        (b"x" * (1024 * 1024 + 1), "the limit is 1 MB"),
    ],
)
def test_unreadable_script_is_one_finding_not_also_sc008(
    project: Path, check, content: bytes, why: str
) -> None:
    write_template(project / "other")
    (project / "scripts" / "s.xml").write_bytes(content)
    result = check("--ignore", "SC009")
    [diagnostic] = result.json["diagnostics"]
    assert diagnostic["code"] == "SC001" and why in diagnostic["message"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_script_without_read_permission_is_one_finding(project: Path, check) -> None:
    write_template(project / "other")
    script = project / "scripts" / "s.xml"
    script.write_text("Hello")
    script.chmod(0)
    try:
        [diagnostic] = check("--ignore", "SC009").json["diagnostics"]
    finally:
        script.chmod(0o644)
    assert diagnostic["code"] == "SC001" and "Permission denied" in diagnostic["message"]


def test_sc010_directive_with_unknown_key_has_did_you_mean(project: Path, check) -> None:
    write_template(project / "other")
    found = _lint(project, check, "Hi\n<!--  soundlint: tempalte=epic -->\nthere")
    assert found == [
        ("SC010", 2, 18, "unknown directive 'tempalte'; did you mean 'template'?"),
    ]
    found = _lint(project, check, "<!-- soundlint: templates=epic -->\n" + "x")
    assert [(code, message) for code, _, _, message in found] == [
        ("SC010", "unknown directive 'templates'; did you mean 'template'?")
    ]


def test_sc010_conflicting_template_directives(project: Path, check) -> None:
    write_template(project / "other")
    text = DIRECTIVE + "Hi\n<!-- soundlint: template=other -->\n<!-- soundlint: template=epic -->"
    assert _lint(project, check, text) == [
        (
            "SC010",
            3,
            26,
            "template directive names 'other', but the one at line 1 names 'epic'; "
            "a script is bound to one template",
        )
    ]


def test_sc010_payload_directive_disagreeing_with_its_sound_template(project: Path, check) -> None:
    write_template(project / "other", {"outro": "outro.wav"})
    text = (
        "<!-- soundlint: template=other -->\n" + '<as:section soundSegment="intro">x</as:section>'
    )
    raw = json.dumps({"soundTemplate": "epic", "scriptText": text}, indent=1)
    [(code, line, column, message)] = _lint(project, check, raw, "s.json")
    assert (code, line) == ("SC010", 3)
    assert raw.splitlines()[line - 1][column - 1 :].startswith("other -->")
    assert message == (
        "template directive names 'other', but the payload's soundTemplate names 'epic'; "
        "AudioStack uses soundTemplate, and soundlint checks the script against it"
    )
    agreeing = json.dumps({"soundTemplate": "other", "scriptText": text})
    assert [code for code, *_ in _lint(project, check, agreeing, "s.json")] == ["SC002"]


@pytest.mark.parametrize(
    ("broken", "manifest_codes"),
    [("[segmnets]", ["MD002", "MD007"]), ("", ["MD002"]), ("[segments]\n", ["MD002"])],
    ids=["misspelt", "missing", "empty"],
)
def test_template_without_segments_is_one_script_finding_not_one_per_section(
    project: Path, check, broken: str, manifest_codes: list[str]
) -> None:
    manifest = project / "epic" / "template.toml"
    head, _ = manifest.read_text().split("[segments]")
    listing = "" if broken.endswith("\n") else 'intro = "intro.wav"\nmain = "main.wav"\n'
    manifest.write_text(head + broken + ("\n" + listing if broken and listing else ""))
    text = DIRECTIVE + "".join(
        f'<as:section name="{name}" soundSegment="{name}">x</as:section>\n'
        for name in ("intro", "main", "outro")
    )
    (project / "scripts" / "s.xml").write_text(text)
    found = [
        (d["code"], d["path"], d["line"], d["message"])
        for d in check("--ignore", "MD005").json["diagnostics"]
    ]
    assert [(code, path) for code, path, _, _ in found] == [
        *((code, "epic/template.toml") for code in manifest_codes),
        ("SC002", "scripts/s.xml"),
    ]
    assert found[-1][2:] == (
        2,
        "soundSegment 'intro' and the script's 2 other segment names cannot be checked: "
        "template 'epic' lists no segments (see the findings on its template.toml)",
    )


NFC, NFD = "caf\u00e9", "cafe\u0301"


def test_names_differing_only_in_normalisation_are_said_to_be_so(project: Path, check) -> None:
    write_template(project / "epic", {NFD: "intro.wav", "main": "main.wav"})
    text = DIRECTIVE + f'<as:section soundSegment="{NFC}">x</as:section>\n'
    [(code, _, _, message)] = _lint(project, check, text, "s.xml", "--select", "SC")
    assert code == "SC002"
    assert message == (
        f"soundSegment '{NFC}' is not a segment of template 'epic'; '{NFD}' looks the same but "
        "is encoded in another Unicode normalisation (NFC 'caf\\u00e9' here, NFD "
        "'cafe\\u0301' there), and names are compared as written"
    )


def test_template_names_differing_only_in_normalisation_are_said_to_be_so(
    project: Path, check
) -> None:
    write_template(project / NFD)
    text = f"<!-- soundlint: template={NFC} -->\nHello"
    [(code, _, _, message)] = _lint(project, check, text, "s.xml", "--select", "SC")
    assert code == "SC008"
    assert message.startswith(
        f"script is bound to template '{NFC}', which does not exist; '{NFD}' looks the same"
    )


def test_did_you_mean_keeps_the_expected_case(project: Path, check) -> None:
    found = _lint(project, check, DIRECTIVE + '<as:section SoundSegment="main">x</as:section>\n')
    [(code, _, _, message)] = found
    assert code == "SC003" and message.endswith("did you mean 'soundSegment'?")


def test_script_refused_by_the_system_is_one_finding(
    project: Path, check, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_template(project / "other")
    script = project / "scripts" / "s.xml"
    script.write_text("Hello")
    real_open = os.open

    def refusing_open(path, *args, **kwargs):
        if os.fspath(path) == os.fspath(script):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    [diagnostic] = check("--ignore", "SC009").json["diagnostics"]
    assert diagnostic["code"] == "SC001"
    assert diagnostic["message"] == "cannot read s.xml: Permission denied"
