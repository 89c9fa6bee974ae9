"""Matching a misread printed id against the known form ids, and what the check symbol catches."""

from __future__ import annotations

import random

import pytest

from omr.formid import ALPHABET, new_form_id, normalise_form_id
from omr.idmatch import KnownIds

KNOWN = "SRCBEF8N"


def ids(count: int, seed: int = 4) -> list[str]:
    rng = random.Random(seed)
    return [new_form_id(rng) for _ in range(count)]


def test_every_single_substitution_is_caught_by_the_check_symbol() -> None:
    for fid in ids(40):
        for i in range(8):
            for c in ALPHABET.replace(fid[i], ""):
                assert normalise_form_id(fid[:i] + c + fid[i + 1:]) is None


def test_adjacent_transpositions_of_symbols_16_apart_pass_the_check_symbol() -> None:
    # A known limit of a mod-32 check with odd weights (documented in omr/idmatch.py): swapping two
    # neighbours whose values differ by 16 (0/G, 8/R, 3/K...) keeps the sum. Matching catches them.
    body = "0G23456"
    from omr.formid import _check_symbol

    fid = body + _check_symbol(body)
    swapped = "G0" + fid[2:]
    assert normalise_form_id(swapped) == swapped
    assert KnownIds([fid]).match(swapped).form_id == fid


def test_a_one_character_ocr_error_is_matched_to_the_known_id() -> None:
    known = KnownIds([KNOWN, *ids(2000)])
    assert normalise_form_id(KNOWN) == KNOWN
    found = known.match("SRCBEFBN")  # 8 read as B: fails its check symbol
    assert found.form_id == KNOWN and found.cost == 1
    assert "SRCB-EF8N" in found.note


@pytest.mark.parametrize("read", ["SRCBEF8", "SRCBEF8NN", "SRCBE8FN", "SRCBEFXN"])
def test_a_dropped_extra_swapped_or_other_character_is_matched(read: str) -> None:
    assert KnownIds([KNOWN, *ids(500)]).match(read).form_id == KNOWN


def test_an_ambiguous_nearest_match_is_refused() -> None:
    read = "SRCBEFBN"  # one look-alike (8/B) from SRCBEF8N, one (N/M) from SRCBEFBM
    same = KnownIds([KNOWN, "SRCBEFBM"]).match(read)
    assert same.form_id is None and "several" in same.note and "SRCB-EFBM" in same.note
    # a rival at the next distance (one character off, not a look-alike) is refused too
    assert KnownIds([KNOWN, "SRCBEFBX"]).match(read).form_id is None
    # one two steps further is not a rival
    assert KnownIds([KNOWN, "SRCXEFBX"]).match(read).form_id == KNOWN


def test_a_read_far_from_every_known_id_is_not_matched() -> None:
    found = KnownIds(ids(1000)).match("SRCBEFBN")
    assert found.form_id is None and "not within one character" in found.note
    assert KnownIds().match("SRCBEFBN").form_id is None
    assert KnownIds([KNOWN]).match("SRCB??BN").form_id is None


def test_fifty_thousand_ids_are_cheap() -> None:
    import time

    many = ids(50_000, seed=9)
    start = time.perf_counter()
    known = KnownIds(many)
    target = many[777]
    read = target[:2] + ("Z" if target[2] == "2" else "2") + target[3:]
    assert known.match(read).form_id == target
    assert time.perf_counter() - start < 2.0
    assert len(known) == len(set(many))
