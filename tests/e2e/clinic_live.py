"""Helpers of the live clinic-page browser tests: alert spies, live pages, pushed frames.

`ALERT_SPY` replaces the page's `Notification` (permission already granted) with a recorder
and counts the oscillators the WebAudio chime starts, so a test can tell that the sound and
the notification code ran. `push_to_clinic_staff` sends a frame to every clinician
connection of a clinic through the app's Management API client, as a Lambda would.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from chalice import Chalice
from playwright.sync_api import Page, expect

from chalicelib.store.models import Connection
from devstack.demo import CLINIC_TIME_ZONE
from tests.e2e.clinic_pages import ClinicApi, unique_name, unique_phone

ALERT_SPY = """(() => {
  const alerts = { notifications: [], tones: 0, asked: 0 };
  window.__alerts = alerts;
  const remembered = localStorage.getItem('spy.permission');
  class RecordedNotification {
    static permission = remembered || window.__spyPermission || 'granted';
    static async requestPermission() {
      alerts.asked += 1;
      RecordedNotification.permission = 'granted';
      localStorage.setItem('spy.permission', 'granted');
      return 'granted';
    }
    constructor(title, options = {}) { alerts.notifications.push({ title, body: options.body }); }
    addEventListener() {}
    close() {}
  }
  window.Notification = RecordedNotification;
  const Context = window.AudioContext;
  const original = Context.prototype.createOscillator;
  Context.prototype.createOscillator = function () {
    const oscillator = original.call(this);
    const start = oscillator.start.bind(oscillator);
    oscillator.start = (...args) => { alerts.tones += 1; return start(...args); };
    return oscillator;
  };
})();"""

#: The same spy, but the browser has not been asked yet (permission "default").
ASK_SPY = "window.__spyPermission = 'default';\n" + ALERT_SPY


def alerts(page: Page) -> dict[str, Any]:
    found: dict[str, Any] = page.evaluate("() => window.__alerts")
    return found


def wait_until_live(page: Page, indicator: str = ".live-state") -> None:
    """The page's websocket is open and the REST state it read on opening is drawn."""
    expect(page.locator(indicator)).to_have_attribute("data-state", "connected", timeout=10_000)
    page.wait_for_load_state("networkidle")


def soon_in_paris(minutes: int = 6) -> datetime:
    """A wall-clock time in the clinic's zone `minutes` from now, on a whole minute."""
    return (datetime.now(ZoneInfo(CLINIC_TIME_ZONE)) + timedelta(minutes=minutes)).replace(
        second=0, microsecond=0
    )


def consultation_soon(api: ClinicApi, *, minutes: int = 6) -> dict[str, Any]:
    """A consultation of the signed-in clinician starting in a few minutes (joining is open)."""
    at = soon_in_paris(minutes)
    return api.create_consultation(
        {"display_name": unique_name("Alice"), "phone": unique_phone(), "channels": ["sms"]},
        day=at.date(),
        hour=at.hour,
        minute=at.minute,
    )


def day_url(front_url: str, record: dict[str, Any]) -> str:
    day = datetime.fromisoformat(record["starts_at"]).astimezone(ZoneInfo(CLINIC_TIME_ZONE))
    return f"{front_url}/clinic/?day={day.date().isoformat()}"


def push_to_clinic_staff(app: Chalice, clinic_id: str, frame: dict[str, Any]) -> int:
    """Sends `frame` to each of the clinic's clinician connections; how many there were."""
    sent = 0
    for connection in Connection.by_clinic_staff.query(clinic_id):
        try:
            app.websocket_api.send(connection.connection_id, json.dumps(frame))
        except Exception:  # noqa: BLE001 - a connection of an earlier, closed page
            continue
        sent += 1
    return sent


def wait_for(condition: Any, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)
