"""OMRChecker's committed expected results, as typed records for the evaluation bench.

OMRChecker (MIT) checks its sample sets with syrupy snapshots: ``src/tests/test_all_samples.py``
runs each sample folder (``run_sample(mocker, "community/Shamanth")``) and
``src/tests/__snapshots__/test_all_samples.ambr`` holds, per test, every CSV it wrote, keyed by the
path under the output folder: ``[sub/]Results/Results_05AM.csv`` (one row per image read),
``[sub/]Manual/ErrorFiles.csv`` and ``[sub/]Manual/MultiMarkedFiles.csv`` (images OMRChecker could
not align, or flagged; empty in the committed snapshot). :func:`expected_results` turns them into
one :class:`ExpectedFolder` per folder of images: ``samples/community/UPSC-mock/scan-angles`` →
``{"angle-1.jpg": {"q1": "D", ...}}``. Values are OMRChecker's output strings: custom labels
joined (``Roll`` = ``E503110026``), several marks joined (``AC``), blanks as the template's
``emptyValue`` (``""`` unless it sets one, e.g. ``no``).
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

SNAPSHOT_PATH = "src/tests/__snapshots__/test_all_samples.ambr"
TESTS_PATH = "src/tests/test_all_samples.py"
_META_COLUMNS = ("file_id", "input_path", "output_path", "score")

_NAME = re.compile(r"^# name: (\S+)\s*$")
_KEY = re.compile(r"^\s*'([^']+)': '''\s*$")
_KEY_INLINE = re.compile(r"^\s*'([^']+)': '(.*)',\s*$")
_END = re.compile(r"^\s*''',\s*$")
_TEST = re.compile(r"def (test_\w+)\(.*?\):\s*\n\s*sample_outputs = run_sample\(\s*mocker,\s*\"([^\"]+)\"", re.S)
_RESULTS = re.compile(r"^(?:(.*)/)?Results/Results_[^/]*\.csv$")
_MANUAL = re.compile(r"^(?:(.*)/)?Manual/(ErrorFiles|MultiMarkedFiles)\.csv$")


@dataclass(frozen=True)
class ExpectedFolder:
    """OMRChecker's expected reading of one folder of sample images.

    Attributes
    ----------
    test_name
        The snapshot test (``test_run_sample1``).
    sample
        The folder the test runs, from the repository root (``samples/sample1``).
    folder
        The folder holding the images (``samples/sample1/MobileCamera``).
    columns
        The answer columns of the Results CSV, in order (without file_id, input_path, output_path, score).
    results
        Image file name → column → expected value.
    input_paths
        Image file name → its path from the repository root.
    error_files, multi_marked_files
        Images listed in Manual/ErrorFiles.csv and Manual/MultiMarkedFiles.csv.
    """

    test_name: str
    sample: str
    folder: str
    columns: tuple[str, ...]
    results: Mapping[str, Mapping[str, str]]
    input_paths: Mapping[str, str]
    error_files: tuple[str, ...]
    multi_marked_files: tuple[str, ...]

    @property
    def question_count(self) -> int:
        """Number of expected answers (images × columns)."""
        return sum(len(row) for row in self.results.values())


def parse_snapshot(text: str) -> dict[str, dict[str, str]]:
    """A syrupy ``.ambr`` file of ``dict({...})`` snapshots: test name → {key → string value}."""
    out: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    key: str | None = None
    lines: list[str] = []
    for line in text.splitlines():
        if key is not None:
            if _END.match(line):
                current_lines = [raw[6:] if raw.startswith("      ") else raw.strip() for raw in lines]
                assert current is not None
                current[key] = "\n".join(current_lines)
                key, lines = None, []
            else:
                lines.append(line)
            continue
        if m := _NAME.match(line):
            current = out.setdefault(m.group(1), {})
        elif current is not None and (m := _KEY.match(line)):
            key = m.group(1)
        elif current is not None and (m := _KEY_INLINE.match(line)):
            current[m.group(1)] = m.group(2)
    return out


def sample_paths(tests_source: str) -> dict[str, str]:
    """Test name → the sample folder it runs (``samples/`` + the path given to ``run_sample``)."""
    return {name: f"samples/{path}" for name, path in _TEST.findall(tests_source)}


def _rows(csv_text: str) -> tuple[tuple[str, ...], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(csv_text.strip("\n") + "\n"))
    rows = [dict(r) for r in reader]
    return tuple(reader.fieldnames or ()), rows


def expected_results(snapshot_text: str, tests_source: str) -> list[ExpectedFolder]:
    """Every folder of expected results in the snapshot, in snapshot order.

    Raises
    ------
    ValueError
        When a snapshot test is not found in the tests source (the two files do not belong together).
    """
    samples = sample_paths(tests_source)
    out: list[ExpectedFolder] = []
    for test, files in parse_snapshot(snapshot_text).items():
        if test not in samples:
            raise ValueError(f"snapshot test {test} is not run by {TESTS_PATH}; give the matching tests file")
        sample = samples[test]
        manual: dict[tuple[str, str], tuple[str, ...]] = {}
        for key, text in files.items():
            if m := _MANUAL.match(key):
                _, rows = _rows(text)
                manual[(m.group(1) or "", m.group(2))] = tuple(r["file_id"] for r in rows)
        for key, text in files.items():
            m = _RESULTS.match(key)
            if m is None:
                continue
            sub = m.group(1) or ""
            header, rows = _rows(text)
            columns = tuple(c for c in header if c not in _META_COLUMNS)
            out.append(ExpectedFolder(
                test_name=test, sample=sample, folder=f"{sample}/{sub}" if sub else sample, columns=columns,
                results={r["file_id"]: {c: r[c] for c in columns} for r in rows},
                input_paths={r["file_id"]: r["input_path"] for r in rows},
                error_files=manual.get((sub, "ErrorFiles"), ()),
                multi_marked_files=manual.get((sub, "MultiMarkedFiles"), ()),
            ))
    return out


def load_expected(repo: Path) -> list[ExpectedFolder]:
    """The expected results of an OMRChecker working tree or bare git directory (its ``HEAD``)."""
    if (repo / SNAPSHOT_PATH).is_file():
        snapshot = (repo / SNAPSHOT_PATH).read_text(encoding="utf-8")
        tests = (repo / TESTS_PATH).read_text(encoding="utf-8")
    else:
        snapshot, tests = (subprocess.run(["git", "-C", str(repo), "show", f"HEAD:{p}"], check=True,
                                          capture_output=True, text=True).stdout for p in (SNAPSHOT_PATH, TESTS_PATH))
    return expected_results(snapshot, tests)


def template_folder(folder: str, template_dirs: set[str]) -> str | None:
    """The folder whose template.json OMRChecker applies to images in ``folder`` (itself or the nearest parent)."""
    parts = folder.split("/")
    for n in range(len(parts), 0, -1):
        candidate = "/".join(parts[:n])
        if candidate in template_dirs:
            return candidate
    return None


if __name__ == "__main__":
    import sys

    repo = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/.mirror/Udayraj123+OMRChecker/repo")
    folders = load_expected(repo)
    for f in folders:
        flagged = f" errors={list(f.error_files)}" if f.error_files else ""
        flagged += f" multi={list(f.multi_marked_files)}" if f.multi_marked_files else ""
        print(f"{f.folder:45s} {len(f.results):2d} images {f.question_count:4d} answers{flagged}")
    print(f"{len(folders)} folders, {sum(len(f.results) for f in folders)} images, "
          f"{sum(f.question_count for f in folders)} expected answers")
