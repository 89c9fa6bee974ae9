"""The decode-floor figures of ``make bench`` (part of item 3 of :mod:`tools.bench`).

On the checkbox-only 300-dpi pages of the throughput set, as JPEG files, as 1-bit TIFF G4 files
(the same pages thresholded) and as PDF files of scanner JPEGs (the same forms written as PDF):

* the *marginal* CPU of ``sipas scan --jobs 1`` per page — (CPU with 60 pages − CPU with 20 pages)
  ÷ 40, the whole process tree (``getrusage(RUSAGE_CHILDREN)`` around the run), so start-up and
  imports drop out; each run is repeated and its least CPU kept;
* the CPU OpenCV needs to decode the same files at full resolution (``cv2.imread``, one thread,
  mean per file, best of three passes; for PDF, the JPEG images poppler extracts from its pages);
* their ratio (bar ≤ :data:`BAR_DECODE_RATIO`): below 1, a page is read in less CPU than it takes
  to decode it at full size.

The ``--jobs N`` ÷ ``--jobs 1`` ratio of pages/s is reported with the load average at the start and
the end of the speed runs (bar ≥ :data:`BAR_JOBS_RATIO` on an idle 2-core machine).
"""

from __future__ import annotations

import os
import resource
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image
from rich.console import Console

from tools.bench_run import Measured, scan

BAR_DECODE_RATIO = 0.75
"""Per-page CPU of ``sipas scan --jobs 1`` ÷ OpenCV's full-resolution decode of the same files."""
BAR_JOBS_RATIO = 1.8
"""``--jobs 2`` pages/s ÷ ``--jobs 1`` pages/s on an idle 2-core machine."""
_PASSES = 3


def children_cpu() -> float:
    """CPU seconds (user + system) of every child process waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def scan_cpu(paths: Sequence[Path], workspace: Path, jobs: int, log: Path) -> tuple[Measured, float]:
    """``sipas scan`` (see :func:`tools.bench_run.scan`) and the CPU seconds of its process tree."""
    before = children_cpu()
    measured = scan(list(paths), workspace, jobs, log)
    return measured, children_cpu() - before


def opencv_decode_ms(files: Sequence[Path]) -> float:
    """Mean CPU milliseconds OpenCV takes to decode one of ``files`` at full resolution (one thread,
    best of three passes over all of them)."""
    threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        best = float("inf")
        for _ in range(_PASSES):
            start = time.process_time()
            for f in files:
                if cv2.imread(str(f), cv2.IMREAD_UNCHANGED) is None:
                    raise RuntimeError(f"OpenCV cannot decode {f}")
            best = min(best, time.process_time() - start)
    finally:
        cv2.setNumThreads(threads)
    return best / len(files) * 1000


def g4_copies(files: Sequence[Path], out: Path) -> list[Path]:
    """Each page as a 1-bit CCITT G4 TIFF at its own dpi (thresholded at mid-grey, as a fax scan would)."""
    out.mkdir(parents=True, exist_ok=True)
    made = []
    for f in files:
        target = out / f"{f.stem}.tif"
        if not target.exists():
            with Image.open(f) as img:
                dpi = img.info.get("dpi", (300, 300))
                bits = Image.fromarray(np.asarray(img.convert("L")) > 127)
                bits.save(target, compression="group4", dpi=dpi)
        made.append(target)
    return made


def embedded_jpegs(pdfs: Sequence[Path], out: Path) -> list[Path]:
    """The JPEG images of ``pdfs``' pages as poppler extracts them (``pdfimages -j``)."""
    out.mkdir(parents=True, exist_ok=True)
    found: list[Path] = []
    for i, pdf in enumerate(pdfs):
        subprocess.run(["pdfimages", "-j", str(pdf), str(out / f"f{i:03d}")], check=True, capture_output=True)
        found += sorted(out.glob(f"f{i:03d}-*"))
    return found


def _linked(files: Sequence[Path], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for f in files:
        if not (folder / f.name).exists():
            os.link(f, folder / f.name)
    return folder


def decode_floor(kind: str, small: Sequence[Path], large: Sequence[Path], pages: tuple[int, int],
                 work: Path, decoded: Sequence[Path], *, repeats: int = 1) -> dict[str, Any]:
    """Marginal scan CPU per page (``--jobs 1``) between two input sets, OpenCV's decode of ``decoded``.

    ``small`` and ``large`` hold ``pages[0]`` and ``pages[1]`` pages; ``decoded`` are the image files of
    ``large`` OpenCV decodes (the files themselves, or the JPEGs inside PDFs). Each scan is run
    ``repeats`` times and its least CPU kept (other work on the machine only ever adds to it).
    """
    cpu = []
    for n, files in zip(pages, (small, large), strict=True):
        folder = _linked(files, work / f"floor-{kind}-{n}")
        cpu.append(min(scan_cpu([folder], work / f"ws-floor-{kind}-{n}", 1, work / f"scan-floor-{kind}-{n}.log")[1]
                       for _ in range(max(1, repeats))))
    cpu_small, cpu_large = cpu
    scan_ms = (cpu_large - cpu_small) / (pages[1] - pages[0]) * 1000
    decode_ms = opencv_decode_ms(decoded)
    return {"scan_cpu_ms_per_page": scan_ms, "opencv_decode_ms_per_page": decode_ms,
            "ratio": scan_ms / decode_ms, "files_decoded": len(decoded)}


def decode_floor_figures(jpeg_files: Sequence[Path], pdf_files: Sequence[Path], pdf_pages: Sequence[int],
                         pages: tuple[int, int], work: Path, *, repeats: int = 1) -> dict[str, Any]:
    """The three decode-floor figures: JPEG files, TIFF G4 copies of them, PDF files of scanner JPEGs.

    ``pdf_pages``: the number of pages of each PDF (the sets are the first files holding ``pages[0]``
    and ``pages[1]`` pages); ``repeats``: runs of each scan, the least CPU kept.
    """
    small, large = pages
    out: dict[str, Any] = {}
    out["jpeg"] = decode_floor("jpeg", jpeg_files[:small], jpeg_files[:large], pages, work, jpeg_files[:large],
                               repeats=repeats)
    g4 = g4_copies(jpeg_files[:large], work / "g4")
    out["tiff_g4"] = decode_floor("tiff-g4", g4[:small], g4, pages, work, g4, repeats=repeats)
    counts = np.cumsum(pdf_pages)
    if small not in counts or large not in counts:
        raise RuntimeError(f"the PDF files hold {list(counts)} pages in turn, not {small} and {large}")
    pdf_small = list(pdf_files[: int(np.searchsorted(counts, small)) + 1])
    pdf_large = list(pdf_files[: int(np.searchsorted(counts, large)) + 1])
    with tempfile.TemporaryDirectory(prefix="bench-pdfimages-", dir=work) as tmp:
        jpegs = embedded_jpegs(pdf_large, Path(tmp))
        out["pdf"] = decode_floor("pdf", pdf_small, pdf_large, pages, work, jpegs, repeats=repeats)
    return out


def render_floor(result: dict[str, Any], console: Console) -> None:
    """Print the decode-floor and jobs-ratio lines of a bench result (nothing when not measured)."""
    tp = result.get("throughput")
    if not tp or "error" in tp:
        return
    floor = tp.get("decode_floor")
    names = {"jpeg": "JPEG", "tiff_g4": "TIFF G4", "pdf": "PDF (JPEG pages)"}
    if isinstance(floor, dict) and "error" not in floor:
        for kind, name in names.items():
            f = floor[kind]
            mark = "[green]ok[/green]" if f["ratio"] <= BAR_DECODE_RATIO else "[red]over[/red]"
            console.print(f"checkbox-only 300 dpi {name}: sipas scan --jobs 1 {f['scan_cpu_ms_per_page']:.1f} ms "
                          f"CPU/page ÷ OpenCV full decode {f['opencv_decode_ms_per_page']:.1f} ms = "
                          f"{f['ratio']:.2f} {mark} (bar ≤ {BAR_DECODE_RATIO:g})")
    elif isinstance(floor, dict):
        console.print(f"[red]failed[/red] decode floor: {floor['error']}")
    ratio = tp.get("jobs_ratio")
    if ratio is not None:
        load = tp.get("load_average", [None, None])
        mark = "[green]ok[/green]" if ratio >= BAR_JOBS_RATIO else "[red]under[/red]"
        console.print(f"--jobs {result['cores']} ÷ --jobs 1 pages/s: {ratio:.2f} {mark} (bar ≥ {BAR_JOBS_RATIO:g} on "
                      f"an idle 2-core machine); load average {load[0]:.2f} before, {load[1]:.2f} after the speed runs")


__all__ = ["BAR_DECODE_RATIO", "BAR_JOBS_RATIO", "children_cpu", "decode_floor_figures", "embedded_jpegs",
           "g4_copies", "opencv_decode_ms", "render_floor", "scan_cpu"]
