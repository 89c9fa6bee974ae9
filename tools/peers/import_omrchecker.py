"""Import every OMRChecker sample template of a checkout or bare mirror, for the evaluation bench.

Usage::

    python -m tools.peers.import_omrchecker [REPO] [--out /tmp/omrchecker-import]

``REPO`` is an OMRChecker working tree, or a bare git directory whose ``HEAD`` is extracted to a
temporary folder first (default: the mirror at /work/.mirror/Udayraj123+OMRChecker/repo). For each
folder with a ``template*.json`` under ``samples/`` it writes ``OUT/<folder>/<name>.yaml`` (plus its
images) and ``columns.json`` (OMRChecker's output columns in terms of the imported fields), then
validates the YAML by loading it and laying it out, and prints one line per template.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from omr.errors import SipasError
from omr.template.importers.omrchecker import OmrImport, import_omrchecker
from omr.template.layout import layout_template
from omr.template.load import load_template

DEFAULT_MIRROR = Path("/work/.mirror/Udayraj123+OMRChecker/repo")


@dataclass(frozen=True)
class ImportOutcome:
    """One sample template: where it came from, what was written, and whether it validated."""

    folder: str
    template_json: str
    yaml: str | None
    fields: int
    boxes: int
    align: tuple[str, ...]
    error: str | None


def nearest_config(template_json: Path, root: Path) -> Path | None:
    """The config.json OMRChecker applies to a template: in its folder or the nearest parent under ``root``."""
    folder = template_json.parent
    while True:
        candidate = folder / "config.json"
        if candidate.is_file():
            return candidate
        if folder == root or root not in folder.parents:
            return None
        folder = folder.parent


def extract_head(bare: Path, target: Path) -> Path:
    """Extract ``samples/`` of the bare repository's HEAD into ``target``; the working-tree root."""
    archive = subprocess.run(["git", "-C", str(bare), "archive", "--format=tar", "HEAD", "samples"],
                             check=True, capture_output=True).stdout
    tar_path = target / "samples.tar"
    tar_path.write_bytes(archive)
    with tarfile.open(tar_path) as tar:
        tar.extractall(target, filter="data")
    return target


def import_one(template_json: Path, samples: Path, out_root: Path) -> ImportOutcome:
    """Import one template.json under ``samples`` into ``out_root``; never raises for a bad template."""
    folder = template_json.parent.relative_to(samples).as_posix()
    variant = "" if template_json.stem == "template" else template_json.stem.removeprefix("template")
    out_dir = out_root / (folder + variant.replace("_", "-"))
    name = (folder + variant).replace("/", "-").replace("_", "-").lower()
    try:
        result: OmrImport = import_omrchecker(template_json, out_dir / f"{name}.yaml",
                                              config=nearest_config(template_json, samples), name=name,
                                              title=f"OMRChecker sample {folder}{variant}")
        template = load_template(out_dir / f"{name}.yaml")
        boxes = sum(len(p.boxes) for p in layout_template(template).pages)
        columns = [{"name": c.name, "parts": [asdict(p) for p in c.parts]} for c in result.columns]
        (out_dir / "columns.json").write_text(json.dumps(columns, indent=1) + "\n", encoding="utf-8")
        assert template.layout is not None
        return ImportOutcome(folder + variant, str(template_json.relative_to(samples.parent)),
                             str(out_dir / f"{name}.yaml"), len(template.answer_codes()), boxes,
                             tuple(template.layout.align), None)
    except SipasError as exc:
        return ImportOutcome(folder + variant, str(template_json.relative_to(samples.parent)), None, 0, 0, (),
                             exc.message)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", nargs="?", type=Path, default=DEFAULT_MIRROR)
    parser.add_argument("--out", type=Path, default=Path("/tmp/omrchecker-import"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = args.repo if (args.repo / "samples").is_dir() else extract_head(args.repo, Path(tmp))
        samples = root / "samples"
        outcomes = [import_one(t, samples, args.out) for t in sorted(samples.rglob("template*.json"))]
    failed = 0
    for o in outcomes:
        if o.error is None:
            print(f"ok    {o.folder:40s} {o.fields:4d} answer codes {o.boxes:5d} boxes  "
                  f"align={list(o.align)}  {o.yaml}")
        else:
            failed += 1
            print(f"FAIL  {o.folder:40s} {o.error}")
    (args.out / "outcomes.json").write_text(json.dumps([asdict(o) for o in outcomes], indent=1) + "\n",
                                            encoding="utf-8")
    print(f"{len(outcomes) - failed}/{len(outcomes)} imported and valid; details in {args.out / 'outcomes.json'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
