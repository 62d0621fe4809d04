"""The stack's media side, end to end: the worker registers and is assigned, answers only the
app's signed requests, and a browser limited to TURN reaches it through coturn with the
short-lived credentials the app issues."""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from datetime import UTC, datetime

import pytest
from aiortc import (
    AudioStreamTrack,
    RTCConfiguration,
    RTCIceServer,
    RTCIceTransportPolicy,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)
from chalice import Chalice

from chalicelib import wiring
from chalicelib.errors import NotFound
from chalicelib.media.workers import WorkerEndpoint
from devstack.environment import LOCAL_WORKER_ID
from tests.e2e.clients import run
from tests.e2e.local_stack import RunningStack
from tests.support import builders

pytestmark = pytest.mark.timeout(120)
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def endpoint(stack: RunningStack) -> WorkerEndpoint:
    return WorkerEndpoint(LOCAL_WORKER_ID, stack.options.media_url)


def test_a_consultation_is_assigned_to_the_local_worker(
    stack: RunningStack, stack_app: Chalice, consultation_id: str
) -> None:
    builders.consultation(
        consultation_id, clinic_id="demo-clinic", starts_at=datetime.now(UTC)
    ).save()

    assigned = wiring.services().media_workers.assign(consultation_id)

    assert assigned == endpoint(stack)


def test_the_worker_answers_the_apps_signed_requests_and_refuses_unsigned_ones(
    stack: RunningStack, stack_app: Chalice
) -> None:
    with pytest.raises(NotFound):  # signed, so the worker looked for the room
        wiring.services().media_client.roster(endpoint(stack), "no-such-room")

    with pytest.raises(urllib.error.HTTPError) as refused:
        _OPENER.open(f"{stack.options.media_url}/rooms/no-such-room/roster", timeout=10)
    with refused.value as unsigned:
        assert unsigned.code == 401


def test_a_browser_that_can_only_use_turn_reaches_the_worker_through_coturn(
    stack: RunningStack, stack_app: Chalice
) -> None:
    services = wiring.services()
    ice_servers = [
        RTCIceServer(urls=s["urls"], username=s.get("username"), credential=s.get("credential"))
        for s in services.ice_servers.ice_servers("p-e2e")
    ]

    async def scenario() -> tuple[str, str]:
        browser = RTCPeerConnection(
            RTCConfiguration(iceServers=ice_servers, iceTransportPolicy=RTCIceTransportPolicy.RELAY)
        )
        browser.addTrack(AudioStreamTrack())
        browser.addTrack(VideoStreamTrack())
        try:
            await browser.setLocalDescription(await browser.createOffer())
            offered = browser.localDescription.sdp
            echo = await asyncio.to_thread(
                services.media_client.start_echo, endpoint(stack), offered
            )
            await browser.setRemoteDescription(RTCSessionDescription(echo["sdp"], "answer"))
            for _ in range(200):
                if browser.connectionState in ("connected", "failed"):
                    break
                await asyncio.sleep(0.1)
            state = browser.connectionState
            await asyncio.to_thread(
                services.media_client.stop_echo, endpoint(stack), echo["session_id"]
            )
            return offered, state
        finally:
            await browser.close()

    offered, state = run(scenario())

    assert " typ relay" in offered and " typ host" not in offered
    assert state == "connected"
