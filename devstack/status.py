"""The status page's data: each component of the stack checked live, green or red.

`GET /dev/status.json` runs every check at once, each with a time limit:

* moto: reachable, every table of `chalicelib.store.models.TABLE_MODELS` exists, SES sender
  verified;
* REST API: `GET /api/health` through the front server answers 200;
* websocket gateway: a real round trip, ticket from the app, `ping` answered by `pong`;
* Management API: `GET @connections/{id}` of that connection, through `app.websocket_api`;
* sweeper: ran within its interval without error (or is scheduled and has not run yet);
* web UI: `index.html` is served; outbox: moto's `data.json` is readable;
* media worker and coturn: see `devstack.status_media`.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
from aiohttp import ClientSession, hdrs, web
from botocore.config import Config
from chalice import Chalice

from chalicelib import wiring
from chalicelib.auth.principals import Principal
from chalicelib.store.models import TABLE_MODELS
from devstack import demo, status_media
from devstack.http_client import HTTP_CLIENT
from devstack.options import StackOptions
from devstack.outbox import read_outbox
from devstack.sweeper import Sweeper
from devstack.ws_connections import LiveConnections

CHECK_TIMEOUT = 10.0
#: The seeded demo clinician: a ticket's holder must be an active clinician when redeemed.
STATUS_PRINCIPAL = Principal.of_clinician(demo.CLINICIAN_ID, demo.CLINIC_ID)
PING = {"type": "ping", "id": "status"}
MOTO = ("moto", "AWS (moto)")
REST_API = ("rest_api", "REST API")
WEBSOCKET_GATEWAY = ("websocket_gateway", "WebSocket gateway")
MANAGEMENT_API = ("management_api", "Management API")
SWEEPER = ("sweeper", "Sweeper")
WEB_UI = ("web_ui", "Web UI")
OUTBOX = ("outbox", "Outbox")
MEDIA_WORKER = ("media_worker", "Media worker")
COTURN = ("coturn", "TURN server (coturn)")
PONG = {"type": "pong", "id": "status"}


@dataclass(frozen=True)
class ComponentStatus:
    name: str
    label: str
    healthy: bool
    detail: str


Check = Callable[[ClientSession], Awaitable[list[ComponentStatus]]]
#: (name, label) of each component a check reports on, in order.
Components = tuple[tuple[str, str], ...]


class StatusChecks:
    def __init__(
        self,
        *,
        app: Chalice,
        options: StackOptions,
        connections: LiveConnections,
        sweeper: Sweeper,
        sender: str,
    ) -> None:
        self._app = app
        self._options = options
        self._connections = connections
        self._sweeper = sweeper
        self._sender = sender
        self._ses = boto3.client(
            "ses",
            region_name=wiring.services().settings.region,
            config=Config(connect_timeout=2, read_timeout=5, retries={"max_attempts": 1}),
        )

    def routes(self) -> list[web.RouteDef]:
        async def status_json(request: web.Request) -> web.Response:
            report = await self.report(request.app[HTTP_CLIENT])
            return web.json_response(report, headers={"Cache-Control": "no-store"})

        return [web.get("/dev/status.json", status_json)]

    async def report(self, session: ClientSession) -> dict[str, Any]:
        checks: list[tuple[Components, Check]] = [
            ((MOTO,), self._moto),
            ((REST_API,), self._rest_api),
            ((WEBSOCKET_GATEWAY, MANAGEMENT_API), self._websocket_round_trip),
            ((SWEEPER,), self._sweeper_check),
            ((WEB_UI,), self._web_ui),
            ((OUTBOX,), self._outbox),
            ((MEDIA_WORKER,), self._media_worker),
            ((COTURN,), self._coturn),
        ]
        results = await asyncio.gather(
            *(_guarded(names, check, session) for names, check in checks)
        )
        components = [component for result in results for component in result]
        return {
            "healthy": all(component.healthy for component in components),
            "checked_at": _iso(datetime.now(UTC)),
            "components": [asdict(component) for component in components],
            "sweeper": self._sweeper_facts(),
            "endpoints": self._endpoints(),
        }

    async def _moto(self, _: ClientSession) -> list[ComponentStatus]:
        missing = await asyncio.to_thread(
            lambda: [model.Meta.table_name for model in TABLE_MODELS if not model.exists()]
        )
        attributes = await asyncio.to_thread(
            self._ses.get_identity_verification_attributes, Identities=[self._sender]
        )
        verified = attributes["VerificationAttributes"].get(self._sender, {})
        problems = [f"missing tables: {', '.join(missing)}"] if missing else []
        if verified.get("VerificationStatus") != "Success":
            problems.append(f"SES sender {self._sender} is not verified")
        detail = "; ".join(problems) or (
            f"reachable; {len(TABLE_MODELS)} tables exist; SES sender {self._sender} verified"
        )
        return [_component(MOTO, not problems, detail)]

    async def _rest_api(self, session: ClientSession) -> list[ComponentStatus]:
        async with session.get(f"{self._options.front_url}/api/health") as response:
            body = await response.json(content_type=None)
        detail = f"GET /api/health answered {response.status} ({body.get('status')})"
        return [_component(REST_API, response.status == 200, detail)]

    async def _websocket_round_trip(self, session: ClientSession) -> list[ComponentStatus]:
        user_agent = f"devstack-status/{secrets.token_hex(8)}"
        ticket = await asyncio.to_thread(wiring.services().tickets.issue, STATUS_PRINCIPAL)
        async with session.ws_connect(
            self._options.websocket_url,
            params={"ticket": ticket},
            headers={hdrs.USER_AGENT: user_agent},
        ) as socket:
            await socket.send_json(PING)
            reply = await socket.receive_json()
            gateway = _component(
                WEBSOCKET_GATEWAY,
                reply == PONG,
                "ping answered with pong" if reply == PONG else f"unexpected reply {reply!r}",
            )
            return [gateway, await self._management_api(user_agent)]

    async def _management_api(self, user_agent: str) -> ComponentStatus:
        connection = self._connections.by_user_agent(user_agent)
        if connection is None:
            return _component(MANAGEMENT_API, False, "the gateway does not list the connection")
        try:
            info = await asyncio.to_thread(
                self._app.websocket_api.info, connection.context.connection_id
            )
        except Exception as error:  # noqa: BLE001 - reported on the page, like every check
            return _component(MANAGEMENT_API, False, _describe(error))
        healthy = info.get("Identity", {}).get("UserAgent") == user_agent
        detail = "GET @connections/{id} described the status connection"
        return _component(MANAGEMENT_API, healthy, detail if healthy else f"not {detail}")

    async def _sweeper_check(self, _: ClientSession) -> list[ComponentStatus]:
        sweeper, last = self._sweeper, self._sweeper.last_run
        if last is None:
            first = _clock(sweeper.next_run_at)
            detail = f"scheduled every {sweeper.interval:g} s; first run at {first}"
            return [_component(SWEEPER, True, detail)]
        age = (datetime.now(UTC) - last.at).total_seconds()
        fresh = age <= 2 * sweeper.interval + CHECK_TIMEOUT
        if not last.ok:
            detail = f"the run at {_clock(last.at)} failed ({last.detail})"
        elif not fresh:
            detail = f"no run since {_clock(last.at)}, though it runs every {sweeper.interval:g} s"
        else:
            detail = f"last run at {_clock(last.at)}: {last.detail}; {sweeper.runs} runs so far"
        return [_component(SWEEPER, last.ok and fresh, detail)]

    async def _web_ui(self, session: ClientSession) -> list[ComponentStatus]:
        async with session.get(f"{self._options.front_url}/") as response:
            await response.read()
        healthy = response.status == 200 and response.content_type == "text/html"
        detail = "index.html is served" if healthy else f"GET / answered {response.status}"
        return [_component(WEB_UI, healthy, detail)]

    async def _outbox(self, session: ClientSession) -> list[ComponentStatus]:
        outbox = await read_outbox(session, self._options.moto_url)
        emails = len(outbox.emails)
        detail = f"moto's data readable: {len(outbox.sms)} SMS, {emails} email{'s' * (emails != 1)}"
        return [_component(OUTBOX, True, detail)]

    async def _media_worker(self, session: ClientSession) -> list[ComponentStatus]:
        return [_component(MEDIA_WORKER, *await status_media.media_worker(session, self._options))]

    async def _coturn(self, _: ClientSession) -> list[ComponentStatus]:
        return [_component(COTURN, *await status_media.coturn(self._options))]

    def _sweeper_facts(self) -> dict[str, Any]:
        last = self._sweeper.last_run
        return {
            "interval_seconds": self._sweeper.interval,
            "runs": self._sweeper.runs,
            "next_run_at": _iso(self._sweeper.next_run_at),
            "last_run_at": None if last is None else _iso(last.at),
            "last_run_ok": None if last is None else last.ok,
            "last_run_detail": None if last is None else last.detail,
        }

    def _endpoints(self) -> list[dict[str, Any]]:
        """Where things are; `browsable` ones make sense as links in a browser."""
        options = self._options
        endpoints = [
            ("Web UI", f"{options.front_url}/", True),
            ("Outbox", options.outbox_url, True),
            ("REST API", f"{options.front_url}/api/", True),
            ("Chalice local server", f"{options.api_url}/api/", True),
            ("WebSocket", f"{options.websocket_url}?ticket=...", False),
            ("Management API", f"{options.management_endpoint}/@connections/{{id}}", False),
            ("Media worker (control API, signed)", options.media_url, False),
            ("Media worker readiness", f"{options.media_url}/ready", True),
            ("STUN / TURN (coturn)", f"turn:{options.turn_address}", False),
            ("AWS (moto)", options.moto_url, False),
            ("moto dashboard", f"{options.moto_url}/moto-api/", True),
        ]
        return [{"name": n, "url": u, "browsable": b} for n, u, b in endpoints]


async def _guarded(
    components: Components, check: Check, session: ClientSession
) -> list[ComponentStatus]:
    """Run one check within its time limit; any failure is reported, never raised."""
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            return await check(session)
    except Exception as error:  # noqa: BLE001 - the status page reports every failure
        first, *others = components
        skipped = f"not checked: the {first[1]} check failed"
        return [_component(first, False, _describe(error))] + [
            _component(other, False, skipped) for other in others
        ]


def _component(component: tuple[str, str], healthy: bool, detail: str) -> ComponentStatus:
    name, label = component
    return ComponentStatus(name=name, label=label, healthy=healthy, detail=detail)


def _describe(error: Exception) -> str:
    if isinstance(error, TimeoutError):
        return f"no answer within {CHECK_TIMEOUT:g} s"
    return f"{type(error).__name__}: {error}"[:300]


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _clock(moment: datetime) -> str:
    return moment.strftime("%H:%M:%S UTC")
