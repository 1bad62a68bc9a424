"""soundlint upload in CI: fresh checkouts, adopting, exit statuses, JSON, --plan, --progress."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from audiostack_helpers import Run, write_template, write_wav
from fake_audiostack import TEMPLATES, FakeAudioStack, Seen
from test_audiostack_journal import start

Upload = Callable[..., Run]
STATE = ".soundlint/uploads.json"


def git(cwd: Path, *args: str) -> str:
    identity = ["-c", "user.name=CI", "-c", "user.email=ci@example.com"]
    done = subprocess.run(
        ["git", *identity, *args], cwd=cwd, check=True, capture_output=True, text=True
    )
    return done.stdout


@pytest.fixture
def repository(tmp_path: Path, project: Path) -> Path:
    """A real git repository holding a passing template, 'dawn', and the fast settings."""
    root = tmp_path / "origin"
    root.mkdir()
    git(root, "init", "-q")
    (root / "soundlint.toml").write_text((project / "soundlint.toml").read_text())
    write_template(root, "dawn")
    git(root, "add", ".")
    git(root, "commit", "-qm", "templates")
    return root


def clone(repository: Path, name: str) -> Path:
    git(repository.parent, "clone", "-q", str(repository), name)
    return repository.parent / name


def test_a_fresh_clone_with_the_committed_state_file_stays_green(
    upload: Upload, fake: FakeAudioStack, repository: Path
) -> None:
    assert upload(cwd=repository).code == 0
    git(repository, "add", STATE)
    git(repository, "commit", "-qm", "record the upload")
    fake.seen.clear()

    checkout = clone(repository, "ci-job")
    run = upload("--output-format", "json", cwd=checkout)

    assert run.code == 0, run.out
    assert run.status("dawn")["status"] == "skipped-unchanged"
    assert fake.lines() == [f"GET {TEMPLATES}"]
    assert git(checkout, "status", "--porcelain") == "", "an unchanged run changes no file"


def test_a_clone_without_the_state_file_says_how_to_adopt(
    upload: Upload, fake: FakeAudioStack, repository: Path
) -> None:
    assert upload(cwd=repository).code == 0
    checkout = clone(repository, "ci-job")
    fake.seen.clear()

    run = upload(cwd=checkout)

    assert run.code == 1
    line = next(line for line in run.out.splitlines() if line.startswith("skipped-exists"))
    assert "not recorded in this checkout's .soundlint/uploads.json" in line
    assert "--adopt dawn" in line
    assert "not uploaded from this project" not in run.out
    assert fake.lines() == [f"GET {TEMPLATES}"]


def test_adopt_records_the_listed_template_and_sends_nothing(
    upload: Upload, fake: FakeAudioStack, repository: Path
) -> None:
    assert upload(cwd=repository).code == 0
    on_server = dict(fake.templates["dawn"]["segments"])
    checkout = clone(repository, "ci-job")
    fake.seen.clear()

    run = upload("--adopt", "dawn", "--output-format", "json", cwd=checkout)

    assert run.code == 0, run.out
    assert run.status("dawn")["status"] == "adopted"
    assert run.status("dawn")["action"] == "adopt"
    assert fake.lines() == [f"GET {TEMPLATES}"], "adopting sends nothing"
    entry = json.loads((checkout / STATE).read_text())["targets"][fake.api_base]["dawn"]
    assert {name: s["fileId"] for name, s in entry["segments"].items()} == on_server
    # From now on the template is this project's: replaced once with the checkout's version
    # (what the server holds is not known to match), then unchanged.
    after = upload("--output-format", "json", cwd=checkout)
    assert after.status("dawn")["status"] == "replaced"
    again = upload("--output-format", "json", cwd=checkout)
    assert again.status("dawn")["status"] == "skipped-unchanged"


def test_adopting_what_the_listing_does_not_show_is_refused(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    run = upload("--adopt", "dawn", "--output-format", "json")

    assert run.code == 2
    message = (
        f"--adopt dawn: the listing of {fake.api_base} shows no template of that name; "
        "nothing was adopted or uploaded"
    )
    assert run.json["errors"] == [message]
    assert run.err == f"soundlint: error: {message}\n"
    assert fake.lines() == [f"GET {TEMPLATES}"]
    assert not (project / STATE).exists()


def test_adopting_a_name_not_linted_is_a_usage_error(upload: Upload, fake: FakeAudioStack) -> None:
    run = upload("--adopt", "dusk")

    assert run.code == 2
    assert run.err == (
        "soundlint: error: --adopt dusk: no template of that name among those linted (dawn)\n"
    )
    assert fake.seen == []


@pytest.mark.parametrize(
    ("status", "hint"),
    [(401, "check AUDIOSTACK_API_KEY"), (403, "check AUDIOSTACK_API_KEY and AUDIOSTACK_ORG_ID")],
)
def test_a_refused_key_exits_2_naming_the_url(
    upload: Upload,
    fake: FakeAudioStack,
    monkeypatch: pytest.MonkeyPatch,
    status: int,
    hint: str,
) -> None:
    monkeypatch.setenv("AUDIOSTACK_ORG_ID", "org-42")
    fake.fault("GET", TEMPLATES, status, body={"message": "no"})

    run = upload("--output-format", "json")

    assert run.code == 2
    [error] = run.json["errors"]
    assert error.startswith(f"list templates: {status} ")
    assert error.endswith(f"; the API refused the key: {hint} (GET {fake.api_base}{TEMPLATES})")
    assert run.json["exit_status"] == 2
    assert run.status("dawn")["status"] == "failed"
    assert fake.lines() == [f"GET {TEMPLATES}"], "a refused key is not retried"


def test_a_key_refused_mid_run_exits_2_with_the_hint(upload: Upload, fake: FakeAudioStack) -> None:
    fake.fault("POST", "/files", 401)

    run = upload("--output-format", "json")

    assert run.code == 2
    assert run.status("dawn")["status"] == "failed"
    assert run.status("dawn")["error"].endswith(
        "401 Unauthorized: fault; the API refused the key: check AUDIOSTACK_API_KEY"
    )


def test_an_unreachable_api_exits_2_naming_the_url(
    upload: Upload, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        base = f"http://127.0.0.1:{closed.getsockname()[1]}"
    monkeypatch.setenv("AUDIOSTACK_API_BASE", base)

    run = upload()

    assert run.code == 2
    error = run.err.splitlines()[-1]
    assert error.startswith(f"soundlint: error: list templates: cannot connect to {base}: ")
    assert error.endswith(f"(after 5 attempts) (GET {base}{TEMPLATES})")
    assert f"failed  dawn: list templates: cannot connect to {base}" in run.out


def test_exit_statuses_for_lint_and_a_taken_name(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    assert upload().code == 0
    assert upload().code == 0, "unchanged"
    noon = write_template(project, "noon", description="")
    assert upload().code == 1, "blocked by lint"
    shutil.rmtree(noon)
    fake.add_template("dusk")
    write_template(project, "dusk")
    assert upload().code == 1, "a name on the server not recorded as the project's"


def test_json_for_ci(upload: Upload, fake: FakeAudioStack, project: Path) -> None:
    write_template(project, "noon", description="")
    fake.add_template("dusk")
    write_template(project, "dusk")

    run = upload("--output-format", "json")

    assert run.code == 1
    report = run.json
    assert report["version"] == 2
    assert report["mode"] == "upload"
    assert report["target"] == {"api_base": fake.api_base, "organisation": None}
    assert report["exit_status"] == 1
    assert report["errors"] == []
    assert report["summary"] == {"uploaded": 1, "skipped-exists": 1, "blocked-by-lint": 1}
    assert [(t["name"], t["status"], t["action"]) for t in report["templates"]] == [
        ("dawn", "uploaded", "upload"),
        ("dusk", "skipped-exists", "skip-exists"),
        ("noon", "blocked-by-lint", "block"),
    ]
    assert report["templates"][2]["lint_errors"] == 1
    assert "--adopt dusk" in report["templates"][1]["error"]


def test_plan_reads_the_listing_only_and_shows_what_a_run_does(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    assert upload().code == 0
    write_wav(project / "templates/dawn/main.wav", level_db=-15.0)  # to be replaced
    write_template(project, "noon")  # to be uploaded
    write_template(project, "dusk")  # taken on the server
    fake.add_template("dusk")
    fake.seen.clear()

    planned = upload("--plan", "--output-format", "json")
    text = upload("--plan")

    assert {seen.method for seen in fake.seen} == {"GET"}
    assert fake.lines() == [f"GET {TEMPLATES}"] * 2
    assert planned.json["mode"] == "plan"
    assert text.out.splitlines()[1] == (
        f"Plan for {fake.api_base}, from its listing: what an upload would do."
    )
    actions = {t["name"]: t["action"] for t in planned.json["templates"]}
    assert actions == {"dawn": "replace", "dusk": "skip-exists", "noon": "upload"}
    assert planned.status("dawn")["requests"][-1].startswith("POST /production/sound/segment")

    done = upload("--output-format", "json")
    statuses = {t["name"]: t["status"] for t in done.json["templates"]}
    assert statuses == {"dawn": "replaced", "dusk": "skipped-exists", "noon": "uploaded"}
    assert planned.code == done.code == 1


def test_dry_run_names_the_api_and_shows_adopt(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    write_template(project, "dusk")

    run = upload("--dry-run", "--adopt", "dusk")

    assert run.code == 0
    lines = run.out.splitlines()
    assert lines[1].startswith(f"Dry run for {fake.api_base}: ")
    assert lines[2] == f"GET {TEMPLATES}"
    assert "adopt   dusk" in run.out
    assert "(recorded in .soundlint/uploads.json as this project's if the listing shows it" in (
        run.out
    )
    assert fake.seen == []


def test_progress_lines_for_ci_logs(upload: Upload, fake: FakeAudioStack) -> None:
    run = upload("--progress")

    assert run.code == 0
    lines = run.err.splitlines()
    analysed = lines.index("soundlint: analysed 2/2 audio files")  # the analysis's too
    assert lines[analysed + 1] == "dawn: 2 segments"
    assert "dawn: intro: sending (96044 bytes)" in lines
    assert "dawn: main: uploaded" in lines
    assert lines[-1] == "dawn: uploaded"


def test_an_adoption_that_cannot_be_written_fails_without_a_traceback(
    upload: Upload, fake: FakeAudioStack, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from soundlint import atomic

    def full(path: Path, text: str) -> None:
        raise OSError(28, "No space left on device")

    fake.add_template("dawn")
    fake.lists_segments = False
    monkeypatch.setattr(atomic, "write_text", full)

    run = upload("--adopt", "dawn")

    assert run.code == 2
    assert f"failed  dawn: not adopted: cannot write {project}/{STATE} (No space left" in run.out
    assert fake.lines() == [f"GET {TEMPLATES}"]


def _replace_killed_at(
    upload: Upload, fake: FakeAudioStack, project: Path, request: Callable[[Seen], bool]
) -> None:
    """Upload 'dawn', change its audio, and SIGKILL the replacing run when the server gets
    the first ``request``: its journal is left for the next run."""
    assert upload().code == 0
    write_wav(project / "templates/dawn/main.wav", level_db=-15.0)
    killed: list[subprocess.Popen[str]] = []

    def kill(seen: Seen, count: int) -> None:
        if request(seen):
            killed[0].kill()
            killed[0].wait()

    fake.on_request = kill
    killed.append(start(fake, project))
    killed[0].communicate(timeout=60)
    fake.on_request = None


def _is_create(seen: Seen) -> bool:
    return seen.line == f"POST {TEMPLATES}"


def _is_delete(seen: Seen) -> bool:
    return seen.method == "DELETE"


def test_plan_and_dry_run_show_what_a_killed_run_left_to_repair(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    _replace_killed_at(upload, fake, project, _is_delete)
    fake.seen.clear()

    planned = upload("--plan")
    dry = upload("--dry-run", "--output-format", "json")

    assert planned.out.splitlines()[2] == (
        "repair  dawn: a run stopped while replacing it (at: delete) and left it absent from "
        "the server; an upload puts its new version up"
    )
    assert dry.json["repairs"] == [
        "dawn: a run stopped while replacing it (at: delete); an upload repairs it before "
        "anything else"
    ]
    assert {seen.method for seen in fake.seen} == {"GET"}


def test_an_adopted_template_whose_files_are_not_listed_is_not_replaced_unrestorably(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    """Adopted while the listing shows no segments, the template's version on the server is
    unknown: a replacement that failed could not restore it, so none is started (no DELETE)."""
    from test_audiostack_replace import new_version

    assert upload().code == 0
    on_server = dict(fake.templates["dawn"]["segments"])
    shutil.rmtree(project / ".soundlint")
    fake.lists_segments = False
    adopted = upload("--adopt", "dawn", "--output-format", "json")
    assert adopted.status("dawn")["status"] == "adopted"
    assert adopted.status("dawn")["notes"] == [
        "recorded as this project's, but the listing does not show its segments' files, so a "
        "failed replacement could not restore it: the next run replaces it only with --replace"
    ]
    new_version(project)
    fake.fault("POST", TEMPLATES, 500, times=5)
    fake.seen.clear()

    run = upload("--output-format", "json")

    assert run.code == 2
    assert run.status("dawn")["status"] == "failed"
    assert run.status("dawn")["error"] == (
        "not replaced: 'dawn' was adopted as the listing shows it, without its segments' "
        "files, so a replacement that failed could not restore it; nothing was sent "
        "(--replace replaces it anyway)"
    )
    assert not [line for line in fake.lines() if line != f"GET {TEMPLATES}"]
    assert fake.templates["dawn"]["segments"] == on_server

    fake.clear_faults()
    replaced = upload("--replace", "--output-format", "json")

    assert replaced.status("dawn")["status"] == "replaced"


def test_adopting_a_template_whose_listed_segments_differ_is_refused(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    assert upload().code == 0
    shutil.rmtree(project / ".soundlint")
    fake.templates["dawn"]["segments"].pop("main")

    run = upload("--adopt", "dawn")

    assert run.code == 2
    assert run.err == (
        "soundlint: error: --adopt dawn: the listing shows its segments as intro, not as "
        "template.toml has them (intro, main); nothing was adopted or uploaded\n"
    )
    assert not (project / STATE).exists()


def test_plan_after_a_killed_run_shows_what_the_upload_then_does(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    """Killed at a DELETE the server refused: the old version is still up, so the repair
    keeps it and the run replaces it; the plan says so (it said skip-unchanged)."""
    fake.fault("DELETE", f"{TEMPLATES}/dawn", 500)  # the first upload sends no DELETE
    _replace_killed_at(upload, fake, project, _is_delete)

    planned = upload("--plan", "--output-format", "json")
    run = upload("--output-format", "json")

    assert planned.json["repairs"] == [
        "dawn: a run stopped while replacing it (at: delete) and left it as it was; "
        "an upload ends the journal"
    ]
    assert planned.status("dawn")["action"] == "replace"
    assert run.status("dawn")["action"] == "replace"
    assert run.status("dawn")["status"] == "replaced"


def test_what_a_run_repaired_is_in_its_report(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    """Not only on stderr: the text report and the JSON's repairs say what was repaired."""
    _replace_killed_at(upload, fake, project, _is_create)
    copy = project.parent / "copy"
    shutil.copytree(project, copy)

    text = upload()
    as_json = upload("--output-format", "json", cwd=copy)

    assert (
        "\nrepaired  dawn: a run stopped while replacing it (at: create) and left it with 0 of "
        "2 segments; its new version is up\n"
    ) in text.out
    assert as_json.json["repairs"] == [
        "dawn: a run stopped while replacing it (at: create) once its new version was up; "
        "recorded it"
    ]


def test_a_journal_entry_without_its_step_is_told_without_one(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    _replace_killed_at(upload, fake, project, _is_create)
    state = json.loads((project / STATE).read_text())
    del state["journal"][fake.api_base]["dawn"]["step"]  # a hand-edited entry
    (project / STATE).write_text(json.dumps(state))

    dry = upload("--dry-run", "--output-format", "json")

    assert dry.json["repairs"] == [
        "dawn: a run stopped while replacing it; an upload repairs it before anything else"
    ]


@pytest.mark.parametrize("mode", [(), ("--plan",), ("--dry-run",)])
def test_adopting_a_template_blocked_by_lint_says_it_is_not_adopted(
    upload: Upload, fake: FakeAudioStack, project: Path, mode: tuple[str, ...]
) -> None:
    write_template(project, "dusk", description="")

    run = upload("--adopt", "dusk", "--output-format", "json", *mode)

    assert run.code == 1, "dawn goes on"
    assert run.status("dusk")["status"] == "blocked-by-lint"
    assert run.status("dusk")["notes"] == [
        "not adopted (--adopt dusk): a template with lint errors is neither adopted nor uploaded"
    ]
    assert not (project / STATE).exists() or "dusk" not in (project / STATE).read_text()


@pytest.mark.parametrize("problem", ["no key", "--adopt"])
def test_an_error_before_the_listing_still_prints_the_json_document(
    upload: Upload,
    fake: FakeAudioStack,
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    problem: str,
) -> None:
    if problem == "no key":
        monkeypatch.delenv("AUDIOSTACK_API_KEY")
        message = (
            "no API key: set AUDIOSTACK_API_KEY, or key-file in [tool.soundlint.upload]; "
            "nothing was uploaded"
        )
        run = upload("--output-format", "json")
    else:
        message = "--adopt dusk: no template of that name among those linted (dawn)"
        run = upload("--output-format", "json", "--adopt", "dusk")

    assert run.code == 2
    assert run.err == f"soundlint: error: {message}\n"
    assert run.json["exit_status"] == 2
    assert run.json["mode"] == "upload"
    assert run.json["errors"] == [message]
    assert run.json["templates"] == []
    assert fake.seen == []
