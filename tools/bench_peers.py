"""Peer bench: read OMRChecker's own public sample sets with templates imported from its template.json,
and compare every answer with the results OMRChecker's test suite expects.

Usage (from the project root)::

    .venv/bin/python -m tools.bench_peers [REPO] [--out bench/peers.json] [--list]

``REPO`` is an OMRChecker working tree or bare git directory (default: the mirror
/work/.mirror/Udayraj123+OMRChecker/repo; fetch it with the workplace's ``fetch`` tool). The samples are MIT
licensed but stay outside this repository. For each sample folder with expected results
(``src/tests/__snapshots__/test_all_samples.ambr``) the folder's template.json is imported
(``sipas template import omrchecker``), each image is read with ``omr.reader.read_page`` and each
expected column (a question, or a custom label concatenating several) is classed:

``agree``      our value, accepted without review, equals OMRChecker's;
``review``     the field is flagged for a reviewer (a person decides; not an answer yet); it counts as
               ``review-agree`` when the marks we saw are the ones OMRChecker reports (e.g. two marks
               "AC"), else ``review-other``;
``wrong``      accepted without review but different from OMRChecker's value;
``unread``     the page was rejected or could not be aligned.

None of these images was used to set a threshold of the reader. ``--list`` prints every
disagreement, to be looked at one by one (the closing note of the issue explains them).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np

from omr.reader import read_page
from omr.reader.context import ReaderContext
from omr.types import MULTIPLE, FieldReading, PageImage
from tools.peers.import_omrchecker import DEFAULT_MIRROR, extract_head, import_one
from tools.peers.omrchecker_expected import ExpectedFolder, load_expected, template_folder


@dataclass(frozen=True)
class Answer:
    """One expected answer and what we read."""

    folder: str
    image: str
    column: str
    expected: str
    ours: str
    outcome: str
    note: str


def _column_value(parts: list[dict[str, object]], fields: dict[str, FieldReading]) -> tuple[str, str, str]:
    """Our value of one OMRChecker column in its notation, the class, and a note."""
    text, status = "", "auto"
    notes: list[str] = []
    for part in parts:
        code = str(part["code"])
        values = {str(k): str(v) for k, v in dict(part["values"]).items()}  # type: ignore[call-overload]
        empty = str(part["empty"])
        f = fields.get(code)
        if f is None:
            return "", "unread", f"no reading of {code}"
        if f.status != "auto":
            status = "review"
            notes.append(f"{code}: {f.reason}")
        option = part.get("option")
        if option is not None:
            chosen = str(option) in f.value.split(";")
            text += values.get(str(option), str(option)) if chosen else empty
        elif f.value == MULTIPLE:
            marked = (f.reason or "").partition("(")[2].rstrip(")").split(", ")
            text += "".join(values.get(v, v) for v in marked)
        elif f.value == "":
            text += empty
        else:
            text += values.get(f.value, f.value)
    return text, status, "; ".join(notes)


def bench_folder(folder: ExpectedFolder, samples_root: Path, import_root: Path) -> list[Answer]:
    """Import the folder's template, read its images, compare with the expected results."""
    template_dirs = {p.parent.relative_to(samples_root.parent).as_posix()
                     for p in samples_root.rglob("template.json")}
    source = template_folder(folder.folder, template_dirs)
    if source is None:
        return []
    outcome = import_one(samples_root.parent / source / "template.json", samples_root, import_root)
    out: list[Answer] = []
    if outcome.yaml is None:
        for image, row in folder.results.items():
            out += [Answer(folder.folder, image, c, v, "", "unread", f"import failed: {outcome.error}")
                    for c, v in row.items()]
        return out
    columns = json.loads((Path(outcome.yaml).parent / "columns.json").read_text(encoding="utf-8"))
    parts = {c["name"]: c["parts"] for c in columns}
    ctx = ReaderContext.load([outcome.yaml])
    try:
        for image, row in sorted(folder.results.items()):
            path = samples_root.parent / folder.input_paths[image]
            gray = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
            reading = read_page(PageImage(str(path), 0, np.asarray(gray, np.uint8)), ctx)
            fields = {f.field: f for f in reading.fields}
            for column, expected in row.items():
                if not fields:
                    out.append(Answer(folder.folder, image, column, expected, "", "unread", reading.reason or ""))
                    continue
                ours, status, note = _column_value(parts.get(column, []), fields)
                if status == "unread":
                    cls = "unread"
                elif status == "review":
                    cls = "review-agree" if ours == expected else "review-other"
                else:
                    cls = "agree" if ours == expected else "wrong"
                out.append(Answer(folder.folder, image, column, expected, ours, cls, note))
    finally:
        ctx.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", nargs="?", type=Path, default=DEFAULT_MIRROR)
    parser.add_argument("--out", type=Path, default=Path("bench/peers.json"))
    parser.add_argument("--list", action="store_true", help="print every answer that is not 'agree'")
    args = parser.parse_args(argv)
    if not args.repo.exists():
        print(f"{args.repo}: no OMRChecker checkout or mirror; skipping the peer bench")
        return 0
    answers: list[Answer] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = args.repo if (args.repo / "samples").is_dir() else extract_head(args.repo, Path(tmp))
        for folder in load_expected(args.repo):
            answers += bench_folder(folder, root / "samples", Path(tmp) / "import")
    by_folder: dict[str, Counter[str]] = {}
    for a in answers:
        by_folder.setdefault(a.folder, Counter())[a.outcome] += 1
    classes = ("agree", "review-agree", "review-other", "wrong", "unread")
    print(f"{'folder':40s} " + " ".join(f"{c:>12s}" for c in classes))
    for name, counts in sorted(by_folder.items()):
        print(f"{name:40s} " + " ".join(f"{counts[c]:12d}" for c in classes))
    total = Counter(a.outcome for a in answers)
    n = max(1, len(answers))
    print(f"{'all':40s} " + " ".join(f"{total[c]:12d}" for c in classes))
    summary = {
        "answers": len(answers), **{c: total[c] for c in classes},
        "agreement": (total["agree"] + total["review-agree"]) / n,
        "auto_agreement": total["agree"] / n,
        "review_share": (total["review-agree"] + total["review-other"]) / n,
        "auto_wrong_share": total["wrong"] / max(1, total["agree"] + total["wrong"]),
    }
    print(json.dumps(summary, indent=1))
    if args.list:
        for a in answers:
            if a.outcome != "agree":
                print(f"{a.outcome:12s} {a.folder}/{a.image} {a.column}: expected {a.expected!r} ours {a.ours!r} "
                      f"{a.note[:120]}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"summary": summary, "folders": {k: dict(v) for k, v in by_folder.items()},
                                    "disagreements": [asdict(a) for a in answers if a.outcome != "agree"]},
                                   indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
