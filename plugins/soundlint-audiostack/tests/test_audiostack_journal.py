"""The journal: a replacement killed at any point (SIGKILL, two Ctrl-C, a server refusing
even the restore) is repaired by the next run, which says so."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from audiostack_helpers import Run, write_template
from fake_audiostack import TEMPLATES, FakeAudioStack, Seen
from test_audiostack_replace import DELETE, SEGMENT, new_version, state_of, whole

Upload = Callable[..., Run]


def start(fake: FakeAudioStack, project: Path) -> subprocess.Popen[str]:
    """``soundlint upload`` in the project, as a process of its own."""
    environment = os.environ | {
        "AUDIOSTACK_API_BASE": fake.api_base,
        "AUDIOSTACK_API_KEY": fake.key,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "soundlint", "upload", "."],
        cwd=project,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("number", range(1, 12))
def test_a_run_killed_at_any_request_is_repaired_by_the_next(
    upload: Upload, fake: FakeAudioStack, project: Path, number: int
) -> None:
    """SIGKILL when the server receives request ``number`` of the 11 of a replacement (which
    it then carries out): the next run leaves the template whole, saying what it repaired."""
    fake.polls_to_upload = 0
    assert upload().code == 0
    old_ids = dict(fake.templates["dawn"]["segments"])
    new_version(project)
    first = len(fake.seen)
    process: list[subprocess.Popen[str]] = []

    def kill(seen: Seen, count: int) -> None:
        if count == first + number:
            process[0].kill()
            process[0].wait()

    fake.on_request = kill
    process.append(start(fake, project))
    _, err = process[0].communicate(timeout=60)
    assert process[0].returncode == -signal.SIGKILL, err
    fake.on_request = None
    journaled = DELETE in fake.lines()

    run = upload()

    assert run.code == 0, run.out + run.err
    assert whole(fake, project, old_ids) == "new"
    if journaled:
        assert "soundlint: repaired 'dawn': a run stopped while replacing it (at: " in run.err
        assert "skipped-unchanged  dawn" in run.out
    else:
        assert "repaired" not in run.err
        assert "replaced  dawn (2 segments)" in run.out


def test_two_ctrl_c_leave_a_partial_template_that_the_next_run_repairs(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    """The first Ctrl-C (new version half-registered) restores the old version, saying so;
    the second, during the restore, stops it and says what is left."""
    shutil.rmtree(project / "templates/dawn")
    write_template(project, "dawn", segments=("intro", "main", "outro"))
    assert upload().code == 0
    old_ids = dict(fake.templates["dawn"]["segments"])
    new_version(project)
    registered: list[str] = []
    process: list[subprocess.Popen[str]] = []

    def interrupt(seen: Seen, count: int) -> None:
        if seen.line == SEGMENT:
            registered.append(seen.json["mediaId"])
            # the 2nd of the new version, then the 2nd of the old during the restore: carried
            # out at once, answered only after Ctrl-C
            if len(registered) in (2, 4):
                fake.fault("POST", seen.path, None, delay=2.0, done_first=True)
                process[0].send_signal(signal.SIGINT)

    fake.on_request = interrupt
    process.append(start(fake, project))
    _, err = process[0].communicate(timeout=60)

    assert process[0].returncode == 130
    assert err.splitlines() == [
        "soundlint: restoring 'dawn' to its previous version; Ctrl-C again leaves it with "
        "1 of 3 segments (or with 2 of 3 segments, if the request under way reached the server)",
        "soundlint: interrupted again: 'dawn' is left with 1 of 3 segments of its previous "
        "version (or with 2 of 3 segments of its previous version, if the request under way "
        "reached the server); the next `soundlint upload` repairs it",
    ]
    assert registered[2:] == [old_ids["intro"], old_ids["main"]]
    assert fake.templates["dawn"]["segments"] == {name: old_ids[name] for name in ("intro", "main")}
    assert state_of(project)["journal"]
    fake.on_request = None

    run = upload()

    assert run.code == 0
    assert run.err == (
        "soundlint: repaired 'dawn': a run stopped while replacing it (at: restore) and left "
        "it with 2 of 3 segments of its previous version; its new version is up\n"
    )
    assert whole(fake, project, old_ids) == "new"


def test_a_restore_the_server_refuses_exits_3_and_the_next_run_repairs(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    assert upload().code == 0
    old_ids = dict(fake.templates["dawn"]["segments"])
    new_version(project)
    fake.fault("POST", TEMPLATES, 503, times=99)

    run = upload()

    assert run.code == 3
    line = (
        "'dawn' is left absent from the server: create template 'dawn': "
        "503 Service Unavailable: fault (after 5 attempts); the restore failed too (create "
        "template 'dawn': 503 Service Unavailable: fault (after 5 attempts)); the next `soundlint "
        "upload` repairs it"
    )
    assert f"left-broken  dawn: {line}" in run.out
    assert run.err.count(line) == 1 and f"soundlint: error: {line}\n" in run.err
    assert "dawn" not in fake.templates
    fake.clear_faults()
    fake.seen.clear()

    again = upload()

    assert again.code == 0, again.out + again.err
    assert (
        "repaired 'dawn': a run stopped while replacing it (at: restore) and left it " in again.err
    )
    assert whole(fake, project, old_ids) == "new"
    assert DELETE not in fake.lines(), "nothing to delete: it was absent"


def test_an_unchanged_run_leaves_the_state_file_byte_for_byte(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    write_template(project, "noon")
    assert upload().code == 0
    before = (project / ".soundlint/uploads.json").read_bytes()
    written = (project / ".soundlint/uploads.json").stat().st_mtime_ns

    assert upload().code == 0

    assert (project / ".soundlint/uploads.json").read_bytes() == before
    assert (project / ".soundlint/uploads.json").stat().st_mtime_ns == written
    assert fake.key.encode() not in before
    assert sorted(p.name for p in (project / ".soundlint").iterdir()) == ["uploads.json"]


def test_a_corrupt_state_file_is_kept_aside(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    (project / ".soundlint").mkdir()
    (project / ".soundlint/uploads.json").write_text("{not json")

    run = upload()

    assert run.code == 0
    assert run.err.startswith(
        f"soundlint: warning: {project}/.soundlint/uploads.json is not valid JSON"
    )
    assert (project / ".soundlint/uploads.json.corrupt").read_text() == "{not json"
    assert "dawn" in state_of(project)["targets"][fake.api_base]
    (project / ".soundlint/uploads.json").write_text("[]")
    upload()
    assert (project / ".soundlint/uploads.json.corrupt2").read_text() == "[]"


@pytest.mark.parametrize("mode", ["--dry-run", "--plan"])
def test_a_dry_run_or_plan_leaves_a_corrupt_state_file_where_it_is(
    upload: Upload, fake: FakeAudioStack, project: Path, mode: str
) -> None:
    (project / ".soundlint").mkdir()
    (project / ".soundlint/uploads.json").write_text("{not json")

    run = upload(mode)

    assert "an upload keeps it as uploads.json.corrupt" in run.err
    assert sorted(p.name for p in (project / ".soundlint").iterdir()) == ["uploads.json"]
    assert (project / ".soundlint/uploads.json").read_text() == "{not json"


def test_a_template_replaced_that_cannot_be_restored_is_left_broken_then_repaired(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    """--replace of a template whose files the listing does not show: when the new version
    fails after the DELETE, nothing can be restored, so the run says so (exit 3) and the
    next rolls forward."""
    fake.add_template("dawn")
    fake.lists_segments = False
    fake.rejected_segments = {"main"}

    run = upload("--replace")

    assert run.code == 3
    assert run.err == (
        "soundlint: error: 'dawn' is left with 1 of 2 segments: register segment 'main' of "
        "'dawn': 400 Bad Request: Segment rejected; segment 'main' is not a valid sound "
        "segment; the template it replaces cannot be restored (the listing does not show its "
        "files); the next `soundlint upload` repairs it\n"
    )
    fake.rejected_segments = set()

    again = upload()

    assert again.code == 0
    assert again.err == (
        "soundlint: repaired 'dawn': a run stopped while replacing it (at: register) and left "
        "it on the server, its segments not shown by the listing; its new version is up\n"
    )
    assert set(fake.templates["dawn"]["segments"]) == {"intro", "main"}
    assert fake.templates["dawn"]["description"] == "The dawn template"


@pytest.mark.parametrize("request_line", [f"POST {TEMPLATES}", SEGMENT])
def test_a_first_upload_killed_half_way_is_finished_by_the_next_run(
    upload: Upload, fake: FakeAudioStack, project: Path, request_line: str
) -> None:
    process: list[subprocess.Popen[str]] = []

    def kill(seen: Seen, count: int) -> None:
        if seen.line == request_line:
            fake.on_request = None
            process[0].kill()
            process[0].wait()

    fake.on_request = kill
    process.append(start(fake, project))
    process[0].communicate(timeout=60)
    assert process[0].returncode == -signal.SIGKILL
    assert "dawn" in fake.templates, "the server carried out the request"

    run = upload()

    assert run.code == 0
    assert run.err.startswith("soundlint: repaired 'dawn': a run stopped while uploading it (at: ")
    assert "skipped-unchanged  dawn" in run.out
    ids = fake.templates["dawn"]["segments"]
    assert set(ids) == {"intro", "main"}
    recorded = state_of(project)["targets"][fake.api_base]["dawn"]["segments"]
    assert {name: entry["fileId"] for name, entry in recorded.items()} == ids


def test_sigterm_during_a_replacement_restores_the_previous_version(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    """A cancelled CI job: SIGTERM while the new version is half-registered."""
    assert upload().code == 0
    old_ids = dict(fake.templates["dawn"]["segments"])
    new_version(project)
    process: list[subprocess.Popen[str]] = []

    def terminate(seen: Seen, count: int) -> None:
        if seen.line == SEGMENT and seen.json["mediaId"] not in old_ids.values():
            fake.on_request = None
            fake.fault("POST", seen.path, None, delay=2.0, done_first=True)
            process[0].send_signal(signal.SIGTERM)

    fake.on_request = terminate
    process.append(start(fake, project))
    _, err = process[0].communicate(timeout=60)

    assert process[0].returncode == 143
    assert err.splitlines() == [
        "soundlint: restoring 'dawn' to its previous version; Ctrl-C again leaves it with "
        "0 of 2 segments (or with 1 of 2 segments, if the request under way reached the server)",
        "soundlint: 'dawn' was restored to its previous version (2 segments)",
    ]
    assert whole(fake, project, old_ids) == "old"
