"""The only source of "now".

Each tenant has its own clock: it ticks with the machine's time shifted by an offset, or it is
frozen at an instant (the vocabulary of time-machine: move to an instant, shift by a duration,
tick or stay frozen). The state is two values kept by the store, so every worker process agrees
on a tenant's time. Nothing else in the emulator may read the system time; a test enforces it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache


def system_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ClockState:
    offset: timedelta = timedelta(0)
    frozen_at: datetime | None = None

    def now(self) -> datetime:
        return self.frozen_at if self.frozen_at is not None else system_now() + self.offset

    def at(self, instant: datetime) -> datetime:
        """The tenant's instant when the machine's clock read ``instant``."""
        return self.frozen_at if self.frozen_at is not None else instant + self.offset

    @property
    def frozen(self) -> bool:
        return self.frozen_at is not None

    def shift(self, delta: timedelta) -> ClockState:
        if self.frozen_at is not None:
            return replace(self, frozen_at=self.frozen_at + delta)
        return replace(self, offset=self.offset + delta)

    def move_to(self, instant: datetime) -> ClockState:
        if self.frozen_at is not None:
            return replace(self, frozen_at=instant)
        return replace(self, offset=instant - system_now())

    def freeze(self, frozen: bool) -> ClockState:
        if frozen == self.frozen:
            return self
        if frozen:
            return ClockState(offset=self.offset, frozen_at=self.now())
        return ClockState(offset=self.frozen_at - system_now())


def today(instant: datetime) -> date:
    return instant.astimezone(UTC).date()


_DURATION = re.compile(
    r"(?P<sign>[-+])?P(?:(?P<weeks>\d+(?:\.\d+)?)W)?(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?"
)


def parse_duration(text: str) -> timedelta:
    """An ISO 8601 duration in weeks, days, hours, minutes and seconds ("PT49H", "P7D",
    "-P2DT3H"). Years and months are refused: their length depends on the date they start."""
    return _duration(text.strip().upper() if isinstance(text, str) else "")


@lru_cache(maxsize=256)  # seeding reads the same few durations once per record
def _duration(text: str) -> timedelta:
    match = _DURATION.fullmatch(text)
    parts = {k: float(v) for k, v in (match.groupdict() if match else {}).items() if v and k != "sign"}
    if not parts or text.endswith("T"):
        raise ValueError(f"not an ISO 8601 duration in W/D/H/M/S: {text!r}")
    try:
        delta = timedelta(**parts)
    except OverflowError:
        raise ValueError(f"duration out of range: {text!r}") from None
    return -delta if match["sign"] == "-" else delta


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant; one without an offset is read as UTC."""
    instant = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


def format_instant(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def resolve_time(text: str, base: datetime) -> datetime:
    """A time in a mock or scenario file: absolute ("2026-01-15T09:00:00Z") or relative to
    the moment of seeding ("-P2D", "PT3H")."""
    text = text.strip()
    if text.upper().lstrip("+-").startswith("P"):
        try:
            return base + parse_duration(text)
        except OverflowError:
            raise ValueError(f"{text!r} from {format_instant(base)} is out of the calendar's range") from None
    return parse_instant(text)
