"""The media worker's control API (aiohttp): how the app drives rooms and connection tests.

    POST   /rooms/{room_id}/participants/{participant_id}/offer  {sdp} -> {sdp, roster}
    POST   /rooms/{room_id}/participants/{participant_id}/ice    {candidate} -> {added}
    DELETE /rooms/{room_id}/participants/{participant_id}        -> {}
    GET    /rooms/{room_id}/roster                               -> {roster}
    POST   /echo                                                 {sdp} -> {session_id, sdp}
    GET    /echo/{session_id}/stats                              -> {...stats}
    DELETE /echo/{session_id}                                    -> {}
    GET    /health   200 while the process serves (unauthenticated)
    GET    /ready    200 while it takes new rooms, 503 when draining or full (unauthenticated)

Everything but `/health` and `/ready` must be signed by the app (`request_auth`). JSON in,
JSON out (parsed by `chalicelib.safe_json`: nesting past its limit is a 400 `bad_json`,
like invalid JSON); every refusal is `{"error": {"code", "message"}}` with the status of its
`MediaError`, and an unexpected failure is a 500 of the same shape without a traceback.
Remote ICE candidates, in offers and trickled, pass `candidate_policy` before aiortc sees
them: non-public addresses are dropped (`{"added": false}`) unless the worker allows them,
and a peer may send at most 32. A join into a new room needs a ready worker (`drain`).
A connection test is always taken: it lasts two minutes at most, and refusing it would
send the app looking for another worker for a consultation whose call may be in progress
here.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from aiohttp import web

from chalicelib.safe_json import UnsafeJson, loads
from media_worker.candidate_policy import CandidateBudget, CandidatePolicy
from media_worker.drain import WorkerState
from media_worker.errors import InvalidField, MalformedJson, MediaError
from media_worker.request_auth import RequestVerifier
from media_worker.rooms_protocol import Rooms
from media_worker.signaling import parse_candidate

logger = logging.getLogger("media_worker.control_api")

#: SDP offers are a few kilobytes; 4 participants' worth of codecs stays far below this.
MAX_BODY_BYTES = 128 * 1024
UNAUTHENTICATED = frozenset({"/health", "/ready"})
_ID = re.compile(r"[A-Za-z0-9_.~=-]{1,128}")
_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}


def build(
    *,
    rooms: Rooms,
    verifier: RequestVerifier,
    state: WorkerState,
    candidates: CandidatePolicy | None = None,
) -> web.Application:
    """The control API; `candidates` defaults to the strict policy (public addresses only)."""

    @web.middleware
    async def refusals_as_json(request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            response: web.StreamResponse = await handler(request)
        except MediaError as error:
            logger.info("request refused", extra=_refusal_fields(request, error.code))
            return web.json_response(error.body(), status=error.status_code)
        except web.HTTPException as error:
            if error.status < 400:
                raise
            code = _HTTP_CODES.get(error.status, "bad_request")
            logger.info("request refused", extra=_refusal_fields(request, code))
            body = {"error": {"code": code, "message": error.reason}}
            return web.json_response(body, status=error.status)
        except Exception:  # the one boundary where a bug meets the app: logged, answered
            logger.exception("request failed", extra=_refusal_fields(request, "internal_error"))
            body = {"error": {"code": "internal_error", "message": "the media worker failed"}}
            return web.json_response(body, status=500)
        return response

    @web.middleware
    async def signed_requests_only(request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path not in UNAUTHENTICATED:
            body = await request.read()
            verifier.verify(request.method, request.raw_path, body, request.headers)
        response: web.StreamResponse = await handler(request)
        return response

    app = web.Application(
        middlewares=[refusals_as_json, signed_requests_only], client_max_size=MAX_BODY_BYTES
    )
    app.add_routes(_Routes(rooms, state, candidates or CandidatePolicy()).table())
    return app


class _Routes:
    def __init__(self, rooms: Rooms, state: WorkerState, candidates: CandidatePolicy) -> None:
        self._rooms = rooms
        self._state = state
        self._candidates = candidates
        self._budget = CandidateBudget(candidates)

    def table(self) -> list[web.RouteDef]:
        participant = "/rooms/{room_id}/participants/{participant_id}"
        return [
            web.post(f"{participant}/offer", self.offer),
            web.post(f"{participant}/ice", self.ice),
            web.delete(participant, self.leave),
            web.get("/rooms/{room_id}/roster", self.roster),
            web.post("/echo", self.start_echo),
            web.get("/echo/{session_id}/stats", self.echo_stats),
            web.delete("/echo/{session_id}", self.stop_echo),
            web.get("/health", self.health),
            web.get("/ready", self.ready),
        ]

    async def offer(self, request: web.Request) -> web.Response:
        room_id, participant_id = _ids(request, "room_id", "participant_id")
        sdp, carried = self._candidates.filter_offer(_sdp(await _json_object(request)))
        await self._state.admit_join(room_id)
        self._budget.start((room_id, participant_id), carried)
        answer = await self._rooms.join(room_id, participant_id, sdp)
        roster = await self._rooms.roster(room_id)
        logger.info(
            "participant joined", extra={"room_id": room_id, "participant_id": participant_id}
        )
        return web.json_response({"sdp": answer, "roster": roster})

    async def ice(self, request: web.Request) -> web.Response:
        room_id, participant_id = _ids(request, "room_id", "participant_id")
        candidate = (await _json_object(request)).get("candidate")
        if not isinstance(candidate, dict):
            raise InvalidField("candidate", "candidate must be a JSON object")
        parsed = parse_candidate(candidate)  # None: the browser's end-of-candidates marker
        if parsed is not None:
            self._budget.spend((room_id, participant_id))
            if not self._candidates.admits(parsed):
                logger.info(
                    "candidate dropped",
                    extra={
                        "room_id": room_id,
                        "participant_id": participant_id,
                        "candidate_type": parsed.type,
                    },
                )
                return web.json_response({"added": False})
        await self._rooms.add_ice_candidate(room_id, participant_id, candidate)
        return web.json_response({"added": True})

    async def leave(self, request: web.Request) -> web.Response:
        room_id, participant_id = _ids(request, "room_id", "participant_id")
        await self._rooms.leave(room_id, participant_id)
        self._budget.forget((room_id, participant_id))
        logger.info(
            "participant left", extra={"room_id": room_id, "participant_id": participant_id}
        )
        return web.json_response({})

    async def roster(self, request: web.Request) -> web.Response:
        (room_id,) = _ids(request, "room_id")
        return web.json_response({"roster": await self._rooms.roster(room_id)})

    async def start_echo(self, request: web.Request) -> web.Response:
        sdp, _ = self._candidates.filter_offer(_sdp(await _json_object(request)))
        session_id, answer = await self._rooms.start_echo(sdp)
        logger.info("connection test started", extra={"echo_session": session_id})
        return web.json_response({"session_id": session_id, "sdp": answer})

    async def echo_stats(self, request: web.Request) -> web.Response:
        (session_id,) = _ids(request, "session_id")
        return web.json_response(await self._rooms.echo_stats(session_id))

    async def stop_echo(self, request: web.Request) -> web.Response:
        (session_id,) = _ids(request, "session_id")
        await self._rooms.stop_echo(session_id)
        return web.json_response({})

    async def health(self, _: web.Request) -> web.Response:
        return web.json_response({"status": "alive"})

    async def ready(self, _: web.Request) -> web.Response:
        reason = self._state.unready_reason()
        if reason is None:
            return web.json_response({"ready": True, "status": self._state.status})
        return web.json_response(
            {"ready": False, "status": self._state.status, "reason": reason}, status=503
        )


def _ids(request: web.Request, *names: str) -> tuple[str, ...]:
    values = tuple(request.match_info[name] for name in names)
    for name, value in zip(names, values, strict=True):
        if not _ID.fullmatch(value):
            raise InvalidField(name, f"{name} must be 1 to 128 letters, digits or _.~=-")
    return values


async def _json_object(request: web.Request) -> dict[str, Any]:
    try:
        document = loads(await request.read())
    except UnsafeJson as error:
        raise MalformedJson(f"the body {error}") from None
    if not isinstance(document, dict):
        raise MalformedJson("the body must be a JSON object")
    return document


def _sdp(document: dict[str, Any]) -> str:
    sdp = document.get("sdp")
    if not isinstance(sdp, str) or not sdp.strip():
        raise InvalidField("sdp", "sdp must be a non-empty string")
    return sdp


def _refusal_fields(request: web.Request, code: str) -> dict[str, Any]:
    """Ids and codes only: the route's pattern, never the body or the caller's address."""
    route = request.match_info.route.resource
    return {
        "code": code,
        "method": request.method,
        "route": route.canonical if route is not None else "unmatched",
        **{k: v for k, v in request.match_info.items() if _ID.fullmatch(v)},
    }
