"""Which unidentified pages their position in the file places (pure rules, no images)."""

from __future__ import annotations

from omr.formid import PageIdentity
from omr.placement import FilePage, FormGap, Placement, plan_file, unclaimed

F, G = "AAAAAAAA", "BBBBBBBB"


def page(index: int, form: str | None = None, number: int | None = None, outcome: str = "read",
         placeable: bool = True) -> FilePage:
    if form is None:
        return FilePage(100 + index, index, "review" if outcome == "read" else outcome, None, None, placeable)
    return FilePage(100 + index, index, outcome, form, number, False)


def gaps(**counted: tuple[int, ...]) -> dict[str, FormGap]:
    names = {"F": F, "G": G}
    return {names[k]: FormGap("sipas-2019", "2019.1", 3, frozenset(v)) for k, v in counted.items()}


def placed(plans: list[Placement]) -> list[tuple[int, str, int]]:
    return [(p.index, p.identity.form_id, p.identity.page) for p in plans]


def test_a_page_between_pages_1_and_3_is_page_2() -> None:
    plans = plan_file("scan.tif", [page(0, F, 1), page(1), page(2, F, 3)], gaps(F=(1, 3)))
    assert placed(plans) == [(1, F, 2)]
    assert plans[0].identity == PageIdentity("sipas-2019", "2019.1", F, 2, 3)
    assert "placed by its position in scan.tif between pages 1 and 3 of AAAA-AAAA" in plans[0].note


def test_blank_backs_do_not_break_the_order() -> None:
    pages = [page(0, F, 1), page(1, outcome="blank"), page(2), page(3, outcome="blank"), page(4, F, 3)]
    assert placed(plan_file("s.pdf", pages, gaps(F=(1, 3)))) == [(2, F, 2)]


def test_after_the_last_known_page_only_when_it_is_the_forms_only_gap() -> None:
    pages = [page(0, F, 1), page(1, F, 2), page(2)]
    assert placed(plan_file("s.pdf", pages, gaps(F=(1, 2)))) == [(2, F, 3)]
    assert plan_file("s.pdf", pages, gaps(F=(1, 2, 3))) == []  # page 3 already counted elsewhere
    pages = [page(0, F, 2), page(1)]
    assert plan_file("s.pdf", pages, gaps(F=(2,))) == []  # F lacks pages 1 and 3: which one?


def test_before_the_first_known_page() -> None:
    pages = [page(0), page(1, F, 2), page(2, F, 3)]
    assert placed(plan_file("s.pdf", pages, gaps(F=(2, 3)))) == [(0, F, 1)]


def test_a_run_of_two_fills_two_pages_in_order() -> None:
    four = {F: FormGap("sipas-2023", "2023.1", 4, frozenset({1, 4}))}
    pages = [page(0, F, 1), page(1), page(2), page(3, F, 4)]
    assert placed(plan_file("s.pdf", pages, four)) == [(1, F, 2), (2, F, 3)]


def test_the_end_of_one_form_or_the_start_of_another_is_not_placed() -> None:
    pages = [page(0, F, 1), page(1, F, 2), page(2), page(3, G, 2), page(4, G, 3)]
    assert plan_file("s.pdf", pages, gaps(F=(1, 2), G=(2, 3))) == []
    # when only one of them lacks that page, the order decides
    assert placed(plan_file("s.pdf", pages, gaps(F=(1, 2, 3), G=(2, 3)))) == [(2, G, 1)]


def test_a_gap_that_does_not_fit_the_run_is_not_placed() -> None:
    assert plan_file("s.pdf", [page(0, F, 1), page(1), page(2), page(3, F, 3)], gaps(F=(1, 3))) == []
    assert plan_file("s.pdf", [page(0, F, 1), page(1), page(2, F, 2)], gaps(F=(1, 2))) == []
    assert plan_file("s.pdf", [page(0, F, 3), page(1), page(2, F, 1)], gaps(F=(1, 3))) == []


def test_an_unaligned_or_rejected_page_in_the_run_stops_the_placement() -> None:
    pages = [page(0, F, 1), page(1, placeable=False), page(2, F, 3)]
    assert plan_file("s.pdf", pages, gaps(F=(1, 3))) == []
    pages = [page(0, F, 1), page(1, outcome="rejected", placeable=False), page(2), page(3, F, 3)]
    assert plan_file("s.pdf", pages, gaps(F=(1, 3))) == []


def test_two_pages_claiming_one_form_page_are_both_left() -> None:
    one = plan_file("a.pdf", [page(0, F, 1), page(1), page(2, F, 3)], gaps(F=(1, 3)))
    two = [Placement(999, 5, one[0].identity, "elsewhere")]
    assert unclaimed(one + two) == []
    assert unclaimed(one) == one


def test_nothing_is_placed_in_a_file_whose_pages_were_shuffled() -> None:
    # 1 of F before page 2 of G, whose page 1 is the unknown page; but F's pages are split: shuffled.
    four = {F: FormGap("sipas-2023", "2023.1", 4, frozenset({1, 2, 3, 4})),
            G: FormGap("sipas-2023", "2023.1", 4, frozenset({2, 3, 4}))}
    shuffled = [page(0, F, 2), page(1, F, 3), page(2), page(3, G, 2), page(4, F, 1), page(5, G, 3), page(6, G, 4)]
    assert plan_file("s.tif", shuffled, four) == []
    ordered = [page(0, F, 1), page(1, F, 2), page(2, F, 3), page(3, F, 4), page(4), page(5, G, 2),
               page(6, G, 3), page(7, G, 4)]
    assert placed(plan_file("s.tif", ordered, four)) == [(4, G, 1)]
    backwards = [page(0, G, 3), page(1), page(2, G, 2)]
    assert plan_file("s.tif", backwards, four) == []
