"""Quiet hours: a window of the business's local time (``21:00`` to ``07:00`` wraps midnight) in
which SMS and WhatsApp messages are held until it ends. E-mail is never held."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def quiet_until(
    now: datetime, *, start: time | None, end: time | None, zone: ZoneInfo
) -> datetime | None:
    """When the quiet window that ``now`` falls in ends (aware), or None outside one."""
    if start is None or end is None or start == end:
        return None
    local = now.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    day = local.date()
    if start < end:
        inside = start <= clock < end
        ends_on = day
    elif clock >= start:
        inside, ends_on = True, day + timedelta(days=1)
    else:
        inside, ends_on = clock < end, day
    if not inside:
        return None
    # Built from the wall clock: a window ending at 07:00 ends at 07:00 local whatever the
    # offset that day (zoneinfo picks the offset in force then).
    return datetime.combine(ends_on, end, tzinfo=zone)
