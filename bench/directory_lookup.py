"""Nearest-help lookup and place resolution speed: `python -m bench.directory_lookup`.

Builds a directory of 10,000 organisations at municipality points across Mexico (the
size a national directory could reach), then times `NearestIndex.nearest` from random
municipalities, and the resolution of the 368 ways of writing places of the test suite.
Target: p95 under 5 ms for the nearest lookup.
"""

import csv
import random
import statistics
import time
from datetime import date
from pathlib import Path
from typing import Callable, List

from bot.directory.catalogue import catalogue
from bot.directory.models import KINDS
from bot.directory.nearest import Entry, NearestIndex
from bot.directory.resolver import resolver

ENTRIES = 10_000
LOOKUPS = 2_000
TARGET_P95_MS = 5.0
WAYS_OF_WRITING = Path(__file__).resolve().parents[1] / "tests" / "places" / "how_people_write_places.csv"


def percentiles(samples_ms: List[float]) -> str:
    ordered = sorted(samples_ms)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return f"p50 {pick(0.50):.3f} ms, p95 {pick(0.95):.3f} ms, p99 {pick(0.99):.3f} ms, mean {statistics.mean(ordered):.3f} ms"


def timed(calls: int, call: Callable[[int], object]) -> List[float]:
    samples = []
    for i in range(calls):
        start = time.perf_counter()
        call(i)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    rng = random.Random(7)
    points = [m for m in catalogue().municipalities.values() if m.point]
    kinds = [k for k in KINDS if k not in ("national_line", "shelter_line")]
    entries = [
        Entry(id=i, kind=rng.choice(kinds), name=f"Organización {i}", state_key=m.state_key, place=m.label,
              phone=None, whatsapp=None, website=None, opening_hours=None, languages=(), onc_network="",
              source="benchmark", verified_on=date(2026, 11, 1),
              point=(m.point[0] + rng.uniform(-0.05, 0.05), m.point[1] + rng.uniform(-0.05, 0.05)))
        for i, m in ((i, rng.choice(points)) for i in range(ENTRIES))
    ]
    start = time.perf_counter()
    index = NearestIndex(entries)
    print(f"Index of {ENTRIES:,} organisations built in {(time.perf_counter() - start) * 1000:.1f} ms")
    origins = [rng.choice(points).point for _ in range(LOOKUPS)]
    samples = timed(LOOKUPS, lambda i: index.nearest(origins[i], ["observatory"], 1))
    p95 = sorted(samples)[int(0.95 * len(samples))]
    verdict = "meets" if p95 < TARGET_P95_MS else "MISSES"
    print(f"Nearest observatory, {LOOKUPS:,} lookups: {percentiles(samples)} ({verdict} p95 < {TARGET_P95_MS} ms)")
    samples = timed(LOOKUPS, lambda i: index.nearest(origins[i], ["women_justice_centre", "prosecutor"], 2))
    print(f"Nearest two of two kinds:        {percentiles(samples)}")

    places = resolver()
    texts = [row["text"] for row in csv.DictReader(WAYS_OF_WRITING.open(encoding="utf-8"))]
    places.resolve("calentamiento")
    samples = timed(len(texts), lambda i: places.resolve(texts[i]))
    print(f"Place resolution, {len(texts)} messages:   {percentiles(samples)}")


if __name__ == "__main__":
    main()
