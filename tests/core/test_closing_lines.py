"""The closing lines of the text report: which templates are ready, told apart when names
repeat or projects are several, and which rule to read about first."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write_template


def _last_lines(result, count: int) -> list[str]:
    return result.out.splitlines()[-count:]


def test_templates_of_several_projects_are_named_by_their_paths(tmp_path: Path, run) -> None:
    for team in ("team-a", "team-b"):
        (tmp_path / team).mkdir()
        (tmp_path / team / "soundlint.toml").write_text("")
        write_template(tmp_path / team / "night", name="Night-Drive", description="")
        write_template(tmp_path / team / "sun", name="sunrise")
    result = run("check")
    assert result.code == 1
    assert _last_lines(result, 3)[:2] == [
        "Ready: 2 templates (team-a/sun, team-b/sun).",
        "Not ready: 2 templates (team-a/night, team-b/night).",
    ]
    inside = run("check", ".", "../team-b", cwd=tmp_path / "team-a")
    assert _last_lines(inside, 3)[1] == "Not ready: 2 templates (night, ../team-b/night)."


def test_repeated_names_in_one_project_are_named_by_their_paths(tmp_path: Path, run) -> None:
    write_template(tmp_path / "a", name="Night-Drive", description="")
    write_template(tmp_path / "b", name="Night-Drive", description="")
    write_template(tmp_path / "c", name="sunrise", description="")
    result = run("check")
    assert _last_lines(result, 2)[0] == "Not ready: 3 templates (a, b, c)."


def test_unique_names_in_one_project_are_named_as_they_are(tmp_path: Path, run) -> None:
    write_template(tmp_path / "night", name="Night-Drive", description="")
    write_template(tmp_path / "sun", name="sunrise")
    result = run("check")
    assert _last_lines(result, 3)[:2] == [
        "Ready: 1 template (sunrise).",
        "Not ready: 1 template (Night-Drive).",
    ]


def test_the_rule_pointer_names_the_first_error_before_a_warning(tmp_path: Path, run) -> None:
    write_template(tmp_path / "t")
    (tmp_path / "t" / "stray.wav").write_bytes((tmp_path / "t" / "main.wav").read_bytes())
    (tmp_path / "t" / "main.wav").unlink()
    result = run("check")
    lines = result.out.splitlines()
    assert "warning: MD005" in lines[0] and "error: MD004" in lines[1]
    assert lines[-1].startswith("`soundlint rule MD004` explains a rule")


def test_the_rule_pointer_names_a_warning_when_there_is_no_error(tmp_path: Path, run) -> None:
    write_template(tmp_path / "t")
    (tmp_path / "t" / "stray.wav").write_bytes((tmp_path / "t" / "main.wav").read_bytes())
    result = run("check")
    assert result.out.splitlines()[-1].startswith("`soundlint rule MD005` explains a rule")


def test_under_strict_a_template_with_warnings_is_not_ready(tmp_path: Path, run) -> None:
    write_template(tmp_path / "warned")
    (tmp_path / "warned" / "stray.wav").write_bytes((tmp_path / "warned" / "main.wav").read_bytes())
    write_template(tmp_path / "broken", description="")
    write_template(tmp_path / "clean")
    assert _last_lines(run("check"), 3)[:2] == [
        "Ready: 2 templates (clean, warned).",
        "Not ready: 1 template (broken).",
    ]
    strict = run("check", "--strict")
    assert strict.code == 1
    assert _last_lines(strict, 4)[:3] == [
        "Ready: 1 template (clean).",
        "Not ready: 1 template (broken).",
        "Not ready (--strict: warnings): 1 template (warned).",
    ]
