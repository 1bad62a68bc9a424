"""Large projects: scripts, templates and findings are matched up through indexes, and each
still meets exactly the template (and the findings) a one-by-one search would give it."""

from __future__ import annotations

from pathlib import Path

from soundlint import api
from tests.conftest import write_template

TEMPLATES = 40


def _script(directory: Path, name: str, template: str, *segments: str) -> None:
    sections = "".join(
        f'<as:section name="s{number}" soundSegment="{segment}">x</as:section>\n'
        for number, segment in enumerate(segments)
    )
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(f"<!-- soundlint: template={template} -->\n{sections}")


def _library(root: Path) -> None:
    """Templates t00..t39, each with segments intro and its own 'only<N>'; two scripts bound to
    each: one uses its own segment, the other its neighbour's (an SC002 unless N is odd)."""
    for number in range(TEMPLATES):
        name = f"t{number:02d}"
        write_template(
            root / "templates" / name,
            {"intro": "intro.wav", f"only{number}": "only.wav"},
            audio=False,
        )
        _script(root / "scripts", f"{name}-a.xml", name, f"only{number}")
        wrong = number + 1 if number % 2 == 0 else number
        _script(root / "scripts", f"{name}-b.xml", name, f"only{wrong}")


def test_each_of_many_scripts_is_checked_against_its_own_template(tmp_path: Path) -> None:
    _library(tmp_path)
    result = api.lint([tmp_path], overrides=_select("SC002"), use_cache=False)
    found = sorted((d.path.name, d.template, d.segment) for d in result.diagnostics)
    expected = sorted(
        (f"t{n:02d}-b.xml", f"t{n:02d}", f"only{n + 1}") for n in range(0, TEMPLATES, 2)
    )
    assert found == expected
    assert len(result.checked_scripts) == 2 * TEMPLATES


def test_unused_segments_count_every_script_bound_to_each_of_many_templates(
    tmp_path: Path,
) -> None:
    _library(tmp_path)
    # A third script for the odd templates uses 'intro': only the even ones leave it unused.
    for number in range(1, TEMPLATES, 2):
        _script(tmp_path / "scripts", f"t{number:02d}-c.xml", f"t{number:02d}", "intro")
    result = api.lint([tmp_path], overrides=_select("SC009"), use_cache=False)
    found = sorted((d.template, d.segment) for d in result.diagnostics)
    assert found == [(f"t{n:02d}", "intro") for n in range(0, TEMPLATES, 2)]


def test_scripts_bound_to_a_name_two_templates_share_meet_the_first_of_them(
    tmp_path: Path,
) -> None:
    """Both templates named 'twin' count the script as theirs (SC009: beta is used, alpha and
    gamma are not); its segments are checked against the first in path order (a/), which has
    no 'beta' (SC002)."""
    write_template(tmp_path / "a" / "twin", {"alpha": "alpha.wav"}, audio=False)
    write_template(tmp_path / "b" / "twin", {"beta": "b.wav", "gamma": "g.wav"}, audio=False)
    for number in range(TEMPLATES):
        write_template(tmp_path / "c" / f"other{number:02d}", audio=False)
    _script(tmp_path / "scripts", "twin.xml", "twin", "beta")
    result = api.lint([tmp_path], overrides=_select("SC002", "SC009"), use_cache=False)
    found = sorted(
        (d.code, d.path.relative_to(tmp_path).as_posix(), d.segment) for d in result.diagnostics
    )
    assert found == [
        ("SC002", "scripts/twin.xml", "beta"),
        ("SC009", "a/twin/template.toml", "alpha"),
        ("SC009", "b/twin/template.toml", "gamma"),
    ]


def test_project_findings_are_kept_only_for_the_templates_checked(tmp_path: Path) -> None:
    """A duplicate name is reported on each template that has it, but a run over one template
    among many (as pre-commit runs) keeps only that template's finding."""
    (tmp_path / "soundlint.toml").write_text("")
    for number in range(TEMPLATES):
        write_template(tmp_path / f"t{number:02d}", audio=False)
    write_template(tmp_path / "t07" / "nested" / "same", audio=False, name="t03")
    everything = api.lint([tmp_path], overrides=_select("NM001"), use_cache=False)
    assert sorted(d.path.parent.name for d in everything.diagnostics) == ["same", "t03"]
    one = api.lint(
        [tmp_path / "t07" / "nested" / "same" / "template.toml"],
        overrides=_select("NM001"),
        use_cache=False,
    )
    assert [d.path.parent.name for d in one.diagnostics] == ["same"]


def _select(*codes: str) -> api.config.Overrides:
    return api.config.Overrides(select=codes)


def test_many_scripts_bound_to_a_misspelt_template_each_get_the_suggestion(
    tmp_path: Path,
) -> None:
    for number in range(TEMPLATES):
        write_template(tmp_path / "templates" / f"news-{number:02d}", audio=False)
    for number in range(3 * TEMPLATES):
        _script(tmp_path / "scripts", f"s{number:03d}.xml", "nwes-07", "intro")
    _script(tmp_path / "scripts", "other.xml", "zzzz", "intro")
    result = api.lint([tmp_path], overrides=_select("SC008"), use_cache=False)
    messages = [d.message for d in result.diagnostics]
    suggested = (
        "script is bound to template 'nwes-07', which does not exist; did you mean 'news-07'?"
    )
    assert messages.count(suggested) == 3 * TEMPLATES
    assert "script is bound to template 'zzzz', which does not exist" in messages
    assert len(messages) == 3 * TEMPLATES + 1
