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

from chalice import Chalice, WebsocketDisconnectedError
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
        except WebsocketDisconnectedError:
            continue  # a connection of an earlier page, gone
        sent += 1
    return sent


def wait_for(condition: Any, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


#: Records every frame the page's websockets receive, in `window.__frames`.
FRAME_SPY = """(() => {
  window.__frames = [];
  const Native = window.WebSocket;
  window.WebSocket = class RecordedWebSocket extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        try { window.__frames.push(JSON.parse(event.data)); } catch {}
      });
    }
  };
})();"""

OTHER_CLINIC_ID = "e2e-other-clinic"
OTHER_CLINICIAN_EMAIL = "dr.other@other-clinic.example"
OTHER_CLINICIAN_NAME = "Dr Other"


def seed_other_clinic(app_for: Any) -> None:
    """A second clinic with one clinician, written into the stack's tables (idempotent)."""
    from pynamodb.exceptions import PutError

    from chalicelib.store.models import Clinic, Clinician

    with app_for:
        now = datetime.now(ZoneInfo("UTC"))
        for item, absent in (
            (
                Clinic(
                    clinic_id=OTHER_CLINIC_ID,
                    name="Other Clinic",
                    time_zone="Europe/Helsinki",
                    default_language="en",
                    created_at=now,
                ),
                Clinic.clinic_id.does_not_exist(),
            ),
            (
                Clinician(
                    clinician_id="e2e-other-clinician",
                    clinic_id=OTHER_CLINIC_ID,
                    email=OTHER_CLINICIAN_EMAIL,
                    display_name=OTHER_CLINICIAN_NAME,
                    created_at=now,
                ),
                Clinician.clinician_id.does_not_exist(),
            ),
        ):
            try:
                item.save(condition=absent)
            except PutError as error:
                if error.cause_response_code != "ConditionalCheckFailedException":
                    raise


def frames_of(page: Page, consultation_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.evaluate(
        "(id) => window.__frames.filter((f) => f.consultation_id === id)", consultation_id
    )
    return found
