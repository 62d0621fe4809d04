"""`web/shared/time.js` in a real browser: wall-clock times in a zone <-> ISO with offset.

The browser runs in Tokyo, so nothing may depend on its own zone; each instant is checked
against Python's zoneinfo, including the hour that happens twice and the one that does not
exist when clocks change.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.local_stack import RunningStack

pytestmark = pytest.mark.browser

# (date, time, zone): ordinary summer and winter times, the hour that does not exist in
# Paris (clocks forward: the instant of Python's fold=0 reading, `timestamp()`), the hour that
# happens twice (the first one), a half-hour offset, a negative offset, +14:00.
CASES = [
    ("2026-07-01", "14:30", "Europe/Paris"),
    ("2026-11-24", "09:45", "Europe/Paris"),
    ("2026-03-29", "02:30", "Europe/Paris"),
    ("2026-10-25", "02:30", "Europe/Paris"),
    ("2026-01-15", "08:00", "America/St_Johns"),
    ("2026-06-15", "23:15", "America/Los_Angeles"),
    ("2026-12-31", "23:30", "Pacific/Kiritimati"),
    ("2026-11-24", "00:00", "UTC"),
]


@pytest.fixture(scope="module")
def time_page(stack: RunningStack, browser: Browser) -> Iterator[Page]:
    context = browser.new_context(timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.goto(f"{stack.options.front_url}/clinic/sign-in.html")
    yield page
    context.close()


def in_browser(page: Page, expression: str, argument: Any = None) -> Any:
    """`expression` evaluated with the module as `time` and `argument` as `arg`."""
    script = (
        f"async (arg) => {{ const time = await import('/shared/time.js'); return {expression}; }}"
    )
    return page.evaluate(script, argument)


def test_a_date_and_time_in_a_zone_become_the_right_instant(time_page: Page) -> None:
    answers = in_browser(time_page, "arg.map(([d, t, z]) => time.zonedToIso(d, t, z))", CASES)

    for (day, clock, zone), iso in zip(CASES, answers, strict=True):
        year, month, date = map(int, day.split("-"))
        hour, minute = map(int, clock.split(":"))
        expected = datetime(year, month, date, hour, minute, tzinfo=ZoneInfo(zone))
        assert datetime.fromisoformat(iso).timestamp() == expected.timestamp(), (zone, iso)
    assert answers[0] == "2026-07-01T14:30:00+02:00"
    assert answers[2] == "2026-03-29T03:30:00+02:00"  # the clock shows 03:30 then
    assert answers[3] == "2026-10-25T02:30:00+02:00"
    assert answers[4] == "2026-01-15T08:00:00-03:30"


def test_instants_read_back_as_the_zone_s_calendar(time_page: Page) -> None:
    answers = in_browser(
        time_page,
        """[
          time.zonedParts("2026-11-24T13:30:00Z", "Europe/Helsinki"),
          time.zonedParts("2026-11-24T23:30:00Z", "Europe/Paris"),
          time.todayIn("America/Los_Angeles", Date.parse("2026-11-24T05:00:00Z")),
          time.addDays("2028-02-28", 1), time.addDays("2026-03-01", -1),
          time.isDate("2026-02-30"), time.isDate("2026-02-28"),
        ]""",
    )

    assert answers == [
        {"date": "2026-11-24", "time": "15:30"},
        {"date": "2026-11-25", "time": "00:30"},
        "2026-11-23",
        "2028-02-29",
        "2026-02-28",
        False,
        True,
    ]
