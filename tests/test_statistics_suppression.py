"""The suppression of small counts, property-based: every count of fewer people than the
threshold (but some) is hidden, and none of them can be worked out from what is shown — not from a
table's totals, nor from the country's table beside the states' (tests/statistics_attack.py)."""

from typing import Any, Dict, List, Optional, Set

import pytest
from hypothesis import given, settings, strategies as st

from bot.settings import statistics_threshold
from bot.statistics.suppression import Cell, family, suppress, together, with_totals
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
                                 threshold: int, whole: Optional[str] = None, one_row: bool = True,
                                 **played: Any) -> None:
    """No small count is shown or worked out. In the one-week rows that are published, a
    hidden count is not even known to be under the threshold by an attacker who knows that
    hidden counts are at least one (zeros are shown) and which are zero; in larger grids,
    with counts that may be zero, none is worked out exactly. `played`: more the attacker
    knows (tests/statistics_attack.py's `sums` and `equal`)."""
    for name, table in tables.items():
        for i, row in enumerate(table):
            for j, value in enumerate(row):
                assert value == 0 or value >= threshold or (i, j) in hidden[name], (name, i, j)
    zeros = {name: [[value == 0 or not one_row for value in row] for row in table] for name, table in tables.items()}
    worked_out = bounds({name: shown(table, hidden[name]) for name, table in tables.items()}, whole, zeros=zeros,
                        **played)
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


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 3), thresholds, st.data())
def test_no_small_count_follows_from_a_kind_of_the_same_people(columns: int, others: int, states: int,
                                                               threshold: int, data: st.DataObject) -> None:
    """Two kinds counted of the same people (channel and language): in each state each person
    is in one column of each, so the two have equal totals, which the attacker knows too."""
    people = st.lists(st.tuples(st.integers(0, columns - 1), st.integers(0, others - 1)), max_size=30)
    rows: Dict[str, Dict[str, List[int]]] = {"a": {}, "b": {}}
    for n in range(states):
        drawn = data.draw(people)
        rows["a"][f"s{n}"] = [sum(1 for one, _ in drawn if one == j) for j in range(columns)]
        rows["b"][f"s{n}"] = [sum(1 for _, other in drawn if other == j) for j in range(others)]
    families = {}
    for kind, by_state in rows.items():
        width = len(next(iter(by_state.values())))
        parts = {state: with_totals([row], width) for state, row in by_state.items()}
        families[kind] = (with_totals([[sum(row[j] for row in by_state.values()) for j in range(width)]], width), parts)
    hidden = together(families, threshold)
    tables = {f"{kind}/{name}": table for kind, (whole, parts) in families.items()
              for name, table in [("mx", whole), *parts.items()]}
    cells = {f"{kind}/{name}": found for kind, (hidden_whole, hidden_parts) in hidden.items()
             for name, found in [("mx", hidden_whole), *hidden_parts.items()]}
    sums = {f"{kind}/mx": [f"{kind}/s{n}" for n in range(states)] for kind in rows}
    equal = [((f"a/{name}", 0, columns), (f"b/{name}", 0, others)) for name in ("mx", *rows["a"])]
    assert_nothing_small_is_told(tables, cells, threshold, sums=sums, equal=equal)


def test_a_total_hidden_by_one_kind_is_hidden_by_the_kind_of_the_same_people() -> None:
    """Guanajuato: 9 and 1 by language, 10 by channel, which alone would show its 10."""
    families = {"language": (with_totals([[9, 1]], 2), {"11": with_totals([[9, 1]], 2)}),
                "channel": (with_totals([[10, 0]], 2), {"11": with_totals([[10, 0]], 2)})}
    assert suppress(with_totals([[10, 0]], 2), 10) == set()
    hidden = together(families, 10)
    assert (0, 2) in hidden["language"][1]["11"] and {(0, 0), (0, 2)} <= hidden["channel"][1]["11"]
    assert (0, 2) in hidden["channel"][0]


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
