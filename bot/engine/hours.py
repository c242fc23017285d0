"""When people answer: the `human` state says honestly whether someone is there now.

Hours are China time (UTC+8, no daylight saving), written like `09:00-21:00`; several ranges
may be joined with commas (`09:00-12:00,14:00-21:00`); `22:00-06:00` runs past midnight;
`always` means around the clock and `never` that no people answer (a bot-only deployment).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CHINA_OFFSET_SECONDS = 8 * 3600
DAY_SECONDS = 24 * 3600
_RANGE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)-([01]?\d|2[0-4]):([0-5]\d)$")


@dataclass(frozen=True, slots=True)
class HumanHours:
    ranges: tuple[tuple[int, int], ...]  # (start, end) in seconds after China midnight

    @classmethod
    def parse(cls, text: str) -> HumanHours:
        """Raises ValueError with a readable message on a bad value."""
        value = text.strip().lower()
        if value == "always":
            return cls(((0, DAY_SECONDS),))
        if value in ("never", "none", ""):
            return cls(())
        ranges = []
        for part in value.split(","):
            match = _RANGE.match(part.strip())
            if not match:
                raise ValueError(f"hours must look like 09:00-21:00, not {part.strip()!r}")
            h1, m1, h2, m2 = (int(g) for g in match.groups())
            ranges.append((h1 * 3600 + m1 * 60, h2 * 3600 + m2 * 60))
        return cls(tuple(ranges))

    def open_at(self, now: float) -> bool:
        second = int(now + CHINA_OFFSET_SECONDS) % DAY_SECONDS
        for start, end in self.ranges:
            if start <= end and start <= second < end:
                return True
            if start > end and (second >= start or second < end):  # past midnight
                return True
        return False
