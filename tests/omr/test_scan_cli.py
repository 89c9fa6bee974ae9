"""`sipas scan`: the summary, the exit code, and a run killed with SIGKILL then run again."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from omr.errors import ExitCode
from omr.store.db import open_store
from omr.store.schema import AnswerRow, AuditEvent, InputFile, PageRow
from omr.template.load import load_template
from sipas.cli import main

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini.yaml"
REPO = Path(__file__).resolve().parents[2]
ScanBatch = Any  # the scan_batch fixture of tests/omr/conftest.py


def test_scan_help_documents_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--workspace", "--db", "--jobs", "--manifest", "--template", "--quiet"):
        assert option in out


def test_a_missing_path_is_a_bad_argument(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["scan", str(tmp_path / "nope.pdf"), "--workspace", str(tmp_path / "ws")])
    assert code == ExitCode.bad_args
    assert f"no such file or folder: {tmp_path / 'nope.pdf'}" in capsys.readouterr().err


@pytest.mark.slow
def test_scan_prints_the_summary_and_exits_5_on_rejections(tmp_path: Path, scan_batch: ScanBatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    ws = tmp_path / "ws"
    args = ["scan", str(scan_batch.folder), "--workspace", str(ws), "--template", str(MINI), "--jobs", "1",
            "--manifest", str(scan_batch.manifest)]
    assert main(args) == ExitCode.pages_rejected
    captured = capsys.readouterr()
    out = captured.out.splitlines()
    assert out[0] == "13 pages from 6 files"
    assert "  rejected:     2" in out and "  blank backs:  1 (skipped)" in out
    assert f"    1 × duplicate of a page already scanned: {scan_batch.duplicate}#1" in out
    assert any(line.startswith("    1 × not a page of a known template") for line in out)
    assert out[-1] == "forms: 10 complete, 0 with missing pages"
    assert "manifest" in captured.err and "10 forms added" in captured.err
    assert main([*args, "--quiet"]) == ExitCode.pages_rejected  # the same batch again: same answer
    again = capsys.readouterr().out.splitlines()
    assert again[0] == "13 pages from 6 files (13 already recorded by an earlier run, not read again)"
    assert again[1:] == out[1:]


@pytest.mark.slow
def test_a_clean_batch_exits_0(tmp_path: Path, scan_batch: ScanBatch, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["scan", str(scan_batch.folder / "batch03.jpg"), "-w", str(tmp_path / "ws"), "-t", str(MINI),
                 "-j", "1", "-q"])
    assert code == ExitCode.ok
    assert capsys.readouterr().out.splitlines()[-1] == "forms: 1 complete, 0 with missing pages"


def _count_pages(ws: Path, db_url: str | None) -> int:
    store = open_store(ws, db_url, create=False) if db_url is None else open_store(ws, db_url)
    try:
        with store.session() as s:
            return int(s.scalar(select(func.count()).select_from(PageRow)) or 0)
    finally:
        store.engine.dispose()


@pytest.mark.slow
def test_a_killed_run_run_again_records_every_page_exactly_once(tmp_path: Path, scan_batch: ScanBatch,
                                                                db_url: str | None) -> None:
    ws = tmp_path / "ws"
    cmd = [sys.executable, "-m", "sipas.cli", "scan", str(scan_batch.folder), "--workspace", str(ws),
           "--template", str(MINI), "--jobs", "2", "--quiet"]
    if db_url is not None:
        cmd += ["--db", db_url]
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    recorded = 0
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None:
            if (ws / "sipas.sqlite").exists() or db_url is not None:
                try:
                    recorded = _count_pages(ws, db_url)
                except Exception:  # the schema may not exist yet
                    recorded = 0
                if recorded >= 2:
                    break
            time.sleep(0.05)
    finally:
        proc.kill()  # SIGKILL the scan process only, mid-batch: its workers must notice and exit
        try:
            _, err = proc.communicate(timeout=60)  # stderr closes once the last worker has exited
            orphans = False
        except subprocess.TimeoutExpired:
            orphans = True
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # clean up whatever is left
    assert not orphans, "worker processes outlived the killed scan by more than 60 s"
    assert proc.returncode == -signal.SIGKILL, err.decode()
    assert 2 <= recorded < scan_batch.pages, "the run was not killed in the middle of the batch"

    rerun = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, timeout=600, check=False)
    assert rerun.returncode == ExitCode.pages_rejected, rerun.stderr.decode()
    first_line = rerun.stdout.decode().splitlines()[0]
    assert first_line.startswith("13 pages from 6 files (") and "already recorded" in first_line

    store = open_store(ws, db_url)
    try:
        with store.session() as s:
            keys = s.execute(select(PageRow.file_id, PageRow.page_index)).all()
            assert len(keys) == scan_batch.pages and len(set(keys)) == scan_batch.pages
            scans = s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "scan"))
            assert scans == scan_batch.pages
            answers = s.execute(select(AnswerRow.form_id, AnswerRow.field)).all()
            codes = len(load_template(MINI).answer_codes())
            assert len(answers) == len(set(answers)) == 10 * codes  # every answer code of every form, once
            assert set(s.scalars(select(InputFile.status))) == {"done"}
            counted = [f for f in s.scalars(select(PageRow.form_id).where(PageRow.outcome.in_(("read", "review"))))
                       if f is not None]
            assert sorted(counted) == sorted(scan_batch.truth)
    finally:
        store.engine.dispose()
    assert not list((ws / "pages").glob(".tmp-*"))  # no half-written image left behind


def test_the_summary_wording() -> None:
    from omr.store.summary import FormGap, ReasonGroup, ScanSummary
    from omr.types import PageError
    from sipas.commands.scan import format_summary

    s = ScanSummary(
        files=1, pages=5, read=1, review=1, rejected=2, blank=1, fields_flagged=1, pages_to_review=0,
        rejected_reasons=(ReasonGroup("not a page of a known template", 2, ("a.pdf#2", "a.pdf#3")),),
        forms_complete=0, forms_incomplete=(FormGap("84G7ZWY6", 4, (2, 4)),),
        unrecorded=(PageError("b.pdf", None, "the file is empty (0 bytes)"),), pages_skipped=0)
    assert format_summary(s) == [
        "5 pages from 1 file",
        "  read:         1",
        "  in review:    1 (1 field flagged)",
        "  rejected:     2",
        "    2 × not a page of a known template: a.pdf#2, a.pdf#3",
        "  blank backs:  1 (skipped)",
        "  not recorded: 1 (fix the file and run the scan again)",
        "    b.pdf: the file is empty (0 bytes)",
        "forms: 0 complete, 1 with missing pages",
        "  84G7-ZWY6: missing pages 2, 4 of 4",
    ]
