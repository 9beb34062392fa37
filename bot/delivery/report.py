"""`python -m bot.delivery.report [--days N]`: how many replies wait, went out and were
given up in the last N days (default 7) — counts only, no content."""

import argparse
import sys
from datetime import datetime, timedelta, timezone
from typing import List

from bot.delivery import outbox
from bot.settings import database_url
from bot.storage.database import engine_for, session_scope


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=7)
    days = parser.parse_args(argv).days
    with session_scope(engine_for(database_url())) as session:
        counts = outbox.report(session, datetime.now(timezone.utc) - timedelta(days=days))
    print(f"Replies waiting: {counts['waiting']}; delivered in {days} days: {counts['delivered']}; "
          f"given up in {days} days: {counts['given_up']}")
    return 1 if counts["given_up"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
