"""The suppression of small counts, property-based: every count of fewer people than the
threshold (but some) is hidden, and none of them can be worked out from what is shown — not from a
table's totals, nor from the country's table beside the states' (tests/statistics_attack.py)."""

from typing import Dict, List, Optional, Set

import pytest
from hypothesis import given, settings, strategies as st

from bot.settings import statistics_threshold
from bot.statistics.suppression import Cell, family, suppress, with_totals
from tests.statistics_attack import bounds

counts = st.integers(min_value=0, max_value=40)
thresholds = st.integers(min_value=2, max_value=12)


@st.composite
def grids(draw: st.DrawFn, rows: Optional[int] = None, columns: Optional[int] = None) -> List[List[int]]:
    rows = rows or draw(st.integers(1, 4))
    columns = columns or draw(st.integers(1, 4))
    return [[draw(counts) for _ in range(columns)] for _ in range(rows)]


def shown(table: List[List[int]], hidden: Set[Cell]) -> List[List[Optional[int]]]:
    return [[None if (i, j) in hidden else value for j, value in enumerate(row)] for i, row in enumerate(table)]


def assert_nothing_small_is_told(tables: Dict[str, List[List[int]]], hidden: Dict[str, Set[Cell]],
                                 threshold: int, whole: Optional[str] = None, one_row: bool = True) -> None:
    """No small count is shown or worked out. In the one-week rows that are published, a
    hidden count is not even known to be under the threshold by an attacker who knows that
    hidden counts are at least one (zeros are shown) and which are zero; in larger grids,
    with counts that may be zero, none is worked out exactly."""
    for name, table in tables.items():
        for i, row in enumerate(table):
            for j, value in enumerate(row):
                assert value == 0 or value >= threshold or (i, j) in hidden[name], (name, i, j)
    zeros = {name: [[value == 0 or not one_row for value in row] for row in table] for name, table in tables.items()}
    worked_out = bounds({name: shown(table, hidden[name]) for name, table in tables.items()}, whole, zeros=zeros)
    for (name, i, j), (least, greatest) in worked_out.items():
        value = tables[name][i][j]
        assert least - 1e-6 <= value <= greatest + 1e-6
        if 0 < value < threshold:
            assert greatest - least > 0.5 and (greatest >= threshold - 1e-6 or not one_row), \
                f"{name}[{i}][{j}] = {value} is told by {least}..{greatest}"


@settings(max_examples=150, deadline=None)
@given(grids(), thresholds)
def test_no_small_count_of_a_table_follows_from_its_totals(grid: List[List[int]], threshold: int) -> None:
    table = with_totals(grid, len(grid[0]))
    assert_nothing_small_is_told({"t": table}, {"t": suppress(table, threshold)}, threshold, one_row=len(grid) == 1)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 6), thresholds, st.data())
def test_a_week_hides_no_count_known_to_be_small(columns: int, threshold: int, data: st.DataObject) -> None:
    """The published shape: one week's row and its total; 20, [hidden], [hidden], 22 would
    tell two people of one each if nothing more were hidden."""
    table = with_totals(data.draw(grids(1, columns)), columns)
    assert_nothing_small_is_told({"t": table}, {"t": suppress(table, threshold)}, threshold)


@settings(max_examples=60, deadline=None)
@given(st.just(1), st.integers(1, 4), st.integers(2, 3), thresholds, st.data())
def test_no_small_count_of_a_state_follows_from_the_country(rows: int, columns: int, states: int,
                                                            threshold: int, data: st.DataObject) -> None:
    parts = {f"s{n}": with_totals(data.draw(grids(rows, columns)), columns) for n in range(states)}
    whole = [[sum(part[i][j] for part in parts.values()) for j in range(columns + 1)] for i in range(rows + 1)]
    hidden_whole, hidden = family(whole, parts, threshold)
    assert_nothing_small_is_told({**parts, "mx": whole}, {**hidden, "mx": hidden_whole}, threshold, whole="mx")


def test_two_small_counts_beside_a_large_one_are_not_told_by_the_total() -> None:
    hidden = suppress(with_totals([[20, 1, 1]], 3), 10)
    assert {(0, 1), (0, 2), (0, 0)} <= hidden  # the 20 too: 1 + 1 alone would be known


def test_a_table_of_large_counts_is_shown_whole_and_a_lone_small_one_takes_others_with_it() -> None:
    assert suppress(with_totals([[12, 30], [25, 14]], 2), 10) == set()
    hidden = suppress(with_totals([[12, 3, 15], [20, 30, 11]], 3), 10)
    assert (0, 1) in hidden and len(hidden) == 4  # the 3, and three others closing the cycle


def test_a_table_without_room_to_hide_a_small_count_is_hidden_whole() -> None:
    assert suppress([[12, 3, 15]], 10) == {(0, 0), (0, 1), (0, 2)}


def test_the_threshold_is_a_setting_of_at_least_two() -> None:
    assert statistics_threshold({}) == 10 and statistics_threshold({"ORIENTA_STATS_MIN_PEOPLE": "5"}) == 5
    for wrong in ("1", "diez", "-3"):
        with pytest.raises(ValueError):
            statistics_threshold({"ORIENTA_STATS_MIN_PEOPLE": wrong})
