"""Time ranges split into whole days or months (read from aggregates) and the partial
stretches at their ends (read from indexed rows), so that a range is exact at any instant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

# Far enough out for any help desk's history, near enough that period arithmetic never
# overflows.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


class Unit(StrEnum):
    DAY = "day"
    MONTH = "month"


@dataclass(frozen=True)
class TimeRange:
    """[start, end) in UTC; None on either side means unbounded."""

    start: datetime | None = None
    end: datetime | None = None

    def clamped(self) -> tuple[datetime, datetime]:
        return self.start or EARLIEST, self.end or LATEST


@dataclass(frozen=True)
class Split:
    """Whole units from `first` up to `stop` (dates; None: unbounded), or none at all when
    `whole` is False, and the partial stretches [a, b) outside them."""

    whole: bool
    first: date | None
    stop: date | None
    edges: tuple[tuple[datetime, datetime], ...]


def floor_to(moment: datetime, unit: Unit) -> date:
    moment = moment.astimezone(UTC)
    return moment.date() if unit == Unit.DAY else date(moment.year, moment.month, 1)


def next_unit(day: date, unit: Unit) -> date:
    if unit == Unit.DAY:
        return day + timedelta(days=1)
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def ceil_to(moment: datetime, unit: Unit) -> date:
    start = floor_to(moment, unit)
    return start if midnight(start) == moment else next_unit(start, unit)


def split(time_range: TimeRange, unit: Unit) -> Split:
    """Cut [start, end) into whole days or months and the instants left over at each end."""
    start, end = time_range.start, time_range.end
    first = ceil_to(start, unit) if start else None
    stop = floor_to(end, unit) if end else None
    if start and end and first and stop and first >= stop:
        return Split(False, None, None, ((start, end),) if start < end else ())
    head = ((start, midnight(first)),) if start and first and midnight(first) > start else ()
    tail = ((midnight(stop), end),) if end and stop and midnight(stop) < end else ()
    return Split(True, first, stop, head + tail)


def widen(time_range: TimeRange, unit: Unit) -> TimeRange:
    """The whole days or months that `time_range` touches."""
    start, end = time_range.start, time_range.end
    return TimeRange(
        midnight(floor_to(start, unit)) if start else None,
        midnight(ceil_to(end, unit)) if end else None,
    )
