"""When an observatory's staff answer handoffs: "lun-vie 09:00-18:00; sáb 10:00-14:00".

Times are local to the observatory's state (Mexico has several time zones).
"""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Dict, List, Optional, Tuple
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from bot.text import fold

DAYS = ("lun", "mar", "mie", "jue", "vie", "sab", "dom")
_RANGE = re.compile(r"^(?P<days>[a-z]{3}(?:-[a-z]{3})?)\s+(?P<start>\d{1,2}:\d{2})-(?P<end>\d{1,2}:\d{2})$")
STATE_TIME_ZONES: Dict[str, str] = {
    "02": "America/Tijuana", "03": "America/Mazatlan", "18": "America/Mazatlan", "25": "America/Mazatlan",
    "26": "America/Hermosillo", "23": "America/Cancun", "08": "America/Chihuahua",
}
DEFAULT_TIME_ZONE = "America/Mexico_City"


def spoken(moment: datetime) -> str:
    """A moment as replies say it: "lunes 24 de noviembre, 09:00" (in its own time zone)."""
    return format_datetime(moment, "EEEE d 'de' MMMM, HH:mm", tzinfo=moment.tzinfo, locale="es_MX")


class InvalidHours(ValueError):
    """The text is not a list of "days hh:mm-hh:mm" ranges."""


@dataclass(frozen=True)
class Hours:
    ranges: Tuple[Tuple[int, time, time], ...]  # (weekday 0=Monday, start, end)
    zone: ZoneInfo

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        return any(day == local.weekday() and start <= local.time() < end for day, start, end in self.ranges)

    def next_opening(self, moment: datetime) -> Optional[datetime]:
        """The next time staff are in, within a week (None if no hours are set)."""
        local = moment.astimezone(self.zone)
        candidates = []
        for offset in range(8):
            day = (local + timedelta(days=offset)).date()
            for weekday, start, _ in self.ranges:
                opening = datetime.combine(day, start, tzinfo=self.zone)
                if weekday == day.weekday() and opening > local:
                    candidates.append(opening)
        return min(candidates) if candidates else None

    def open_between(self, start: datetime, end: datetime) -> timedelta:
        """How long staff are in from `start` to `end`."""
        local_start, local_end = start.astimezone(self.zone), end.astimezone(self.zone)
        total, day = timedelta(), local_start.date()
        while day <= local_end.date():
            for weekday, opens, closes in self.ranges:
                if weekday == day.weekday():
                    since = max(datetime.combine(day, opens, tzinfo=self.zone), local_start)
                    until = min(datetime.combine(day, closes, tzinfo=self.zone), local_end)
                    if since < until:  # in UTC: a wall-clock difference would miss a change of offset
                        total += until.astimezone(timezone.utc) - since.astimezone(timezone.utc)
            day += timedelta(days=1)
        return total


def _clock(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    if hours == 24 and minutes == 0:
        return time.max
    return time(hours, minutes)


def parse(text: str, state_key: Optional[str]) -> Hours:
    """Reads staffed hours; raises InvalidHours with a message for administrators."""
    ranges: List[Tuple[int, time, time]] = []
    for chunk in filter(None, (part.strip() for part in fold(text).split(";"))):
        match = _RANGE.match(chunk)
        if not match:
            raise InvalidHours(f"«{chunk}» no es «días hh:mm-hh:mm» (p. ej. «lun-vie 09:00-18:00»).")
        first, _, last = match["days"].partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise InvalidHours(f"Días: {', '.join(DAYS)}.")
        try:
            start, end = _clock(match["start"]), _clock(match["end"])
        except ValueError as error:
            raise InvalidHours(f"Hora inválida en «{chunk}».") from error
        if start >= end:
            raise InvalidHours(f"En «{chunk}» la hora de inicio debe ser antes que la de fin.")
        days = range(DAYS.index(first), DAYS.index(last or first) + 1)
        ranges.extend((day, start, end) for day in days)
    return Hours(tuple(ranges), ZoneInfo(STATE_TIME_ZONES.get(state_key or "", DEFAULT_TIME_ZONE)))
