"""`python -m media_worker`: read the settings, build the real collaborators, run the worker.

The one factory of the worker's real objects (the rooms, the registration, the verifier),
as `chalicelib.wiring` is the app's. Exit codes: 0 after a drain (SIGTERM or SIGINT),
2 when the settings or the installed aioice are not usable.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from media_worker import json_logs, server
from media_worker.aiortc_hooks import ice
from media_worker.candidate_policy import CandidatePolicy
from media_worker.drain import WorkerState
from media_worker.registration import Registration, WorkerIdentity, bind_table
from media_worker.request_auth import RequestVerifier
from media_worker.settings import SettingsError, WorkerSettings

logger = logging.getLogger("media_worker")


def main() -> int:
    json_logs.configure(service="media_worker")
    try:
        settings = WorkerSettings.from_environ()
        network = ice.NetworkConfig(
            udp_ports=settings.udp_ports, public_address=settings.public_address
        )
        ice.install(network)
    except (SettingsError, ice.IncompatibleAioice) as error:
        logger.error("cannot start: %s", error)
        return 2
    bind_table(table_prefix=settings.table_prefix, region=settings.region)
    with asyncio.Runner(loop_factory=ice.PortRangeUvloop) as runner:
        runner.run(_serve(settings, network))
    return 0


async def _serve(settings: WorkerSettings, network: ice.NetworkConfig) -> None:
    from aiortc import RTCIceServer

    from media_worker.rooms import RoomManager

    rooms = RoomManager(
        ice_servers=[
            RTCIceServer(urls=s.url, username=s.username, credential=s.credential)
            for s in settings.ice_servers
        ]
    )
    state = WorkerState(rooms=rooms, capacity=settings.capacity)
    identity = WorkerIdentity(
        worker_id=settings.worker_id,
        pool=settings.pool,
        control_url=settings.control_url,
        public_address=",".join(ice.announced_addresses(network)) or "none",
        capacity=settings.capacity,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signal_number, stop.set)
    logger.info(
        "starting",
        extra={"worker_id": settings.worker_id, "udp_ports": str(settings.udp_ports or "any")},
    )
    await server.run(
        rooms=rooms,
        state=state,
        registration=Registration(
            identity,
            interval=settings.heartbeat_seconds,
            load=rooms.load,
            status=lambda: state.status,
        ),
        verifier=RequestVerifier(settings.shared_secret, worker_id=settings.worker_id),
        stop=stop,
        host=settings.control_host,
        port=settings.control_port,
        drain_seconds=settings.drain_seconds,
        candidates=CandidatePolicy(allow_private=settings.allow_private_candidates),
    )


if __name__ == "__main__":
    raise SystemExit(main())
