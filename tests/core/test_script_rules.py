"""SC rules through `soundlint check`: positions in the user's own file, bindings, suggestions."""

from __future__ import annotations

import json
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
