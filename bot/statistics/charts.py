"""The statistics page's charts, drawn on the server with matplotlib (Agg) as inline SVG:
nothing is fetched by the browser. A suppressed count is drawn as no bar and named
"suprimido", never guessed."""

import io
from typing import List, Optional, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

SUPPRESSED = "suprimido"
COLOUR = "#075e54"


def _svg(figure: "plt.Figure") -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(figure)
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]  # inline: without the XML prologue and doctype


def weekly(title: str, weeks: Sequence[str], people: Sequence[Optional[int]]) -> str:
    """People per week, as bars; a suppressed week is named so at its place."""
    figure, axes = plt.subplots(figsize=(6, 3))
    shown = [value or 0 for value in people]
    axes.bar(range(len(weeks)), shown, color=COLOUR)
    for x, value in enumerate(people):
        if value is None:
            axes.annotate(SUPPRESSED, (x, 0), rotation=90, ha="center", va="bottom", fontsize=8, color="#6e7781")
    axes.set_xticks(range(len(weeks)), [week[5:] for week in weeks], rotation=60, fontsize=8)
    axes.set_title(title, fontsize=11)
    axes.set_ylabel("personas")
    return _svg(figure)


def by_value(title: str, labels: Sequence[str], people: Sequence[Optional[int]]) -> str:
    """People per value, as horizontal bars, each named with its count or "suprimido"."""
    figure, axes = plt.subplots(figsize=(6, 0.5 * len(labels) + 1))
    rows: List[int] = list(range(len(labels)))[::-1]
    axes.barh(rows, [value or 0 for value in people], color=COLOUR)
    for y, value in zip(rows, people):
        axes.annotate(SUPPRESSED if value is None else str(value), (value or 0, y), xytext=(4, 0),
                      textcoords="offset points", va="center", fontsize=9)
    axes.set_yticks(rows, labels, fontsize=9)
    axes.set_title(title, fontsize=11)
    axes.set_xlabel("personas")
    return _svg(figure)
