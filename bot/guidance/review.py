"""Lists every guidance fact with its sources and check date; flags the old and the unconfirmed.

    python -m bot.guidance.review [--max-age-days N] [--summary]

A fact is stale when it was checked more than N days ago (default 180, or
ORIENTA_CONTENT_MAX_AGE_DAYS). `--summary` prints only the counts (as `make test` does).
Exits with status 1 when the content does not pass its schema.
"""

import argparse
import datetime as dt
import os
import sys
from typing import List, Optional

from bot.guidance.content import Fact, Guidance

DEFAULT_MAX_AGE_DAYS = 180


def max_age_days() -> int:
    """How old a check may be before it is stale: ORIENTA_CONTENT_MAX_AGE_DAYS, else 180."""
    return int(os.environ.get("ORIENTA_CONTENT_MAX_AGE_DAYS", DEFAULT_MAX_AGE_DAYS))


def stale(facts: List[Fact], max_age_days: int, today: Optional[dt.date] = None) -> List[Fact]:
    """The facts checked longer ago than `max_age_days`."""
    limit = (today or dt.date.today()) - dt.timedelta(days=max_age_days)
    return [fact for fact in facts if fact.checked < limit]


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-age-days", type=int, default=max_age_days())
    parser.add_argument("--summary", action="store_true")
    args = parser.parse_args(argv)
    content = Guidance.load()
    problems = content.problems()
    if problems:
        print("Guidance content is invalid:", *problems, sep="\n  ")
        return 1
    facts = list(content.facts())
    old = stale(facts, args.max_age_days)
    desk = [fact for fact in facts if fact.verification == "desk"]
    if not args.summary:
        for fact in facts:
            marks = ("STALE " if fact in old else "") + ("TO CONFIRM ON THE OFFICIAL SITE " if fact in desk else "")
            print(f"{fact.checked}  {marks}{fact.label}")
            for source in fact.sources:
                articles = f", arts. {source['articles']}" if source.get("articles") else ""
                print(f"    {source['title']}{articles} {source.get('url', '')}".rstrip())
    print(f"Guidance: {len(facts)} facts; {len(old)} checked more than {args.max_age_days} days ago; "
          f"{len(desk)} still to confirm on the official site.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
