"""The app host: the Chalice app served as API Gateway, Lambda and EventBridge would.

`python -m devstack.app_host` (started by the supervisor, with the environment of
`devstack.environment`) imports `app` only after its environment is set, as a Lambda cold
start does, then serves on `--port` (one origin, like CloudFront):

    /                        the web UI's static files (web/)
    /api/*                   proxied to Chalice's local REST server on --api-port
    /ws                      the websocket gateway (devstack.ws_gateway)
    /ws/@connections/{id}    the Management API emulation (devstack.management_api)
    /dev/                    status page; /dev/status.json, /dev/outbox, /dev/outbox.json

and runs the sweeper on its interval. SIGINT or SIGTERM close every websocket (each gets
its `$disconnect`), stop the servers and exit 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import warnings
from collections.abc import AsyncIterator, Sequence

import boto3
from aiohttp import web
from chalice import Chalice

from chalicelib import wiring
from devstack import api_proxy, logs, media_lab, outbox, pages, retention, web_files
from devstack.environment import WS_API_ID, sender_email
from devstack.http_client import http_client
from devstack.lambda_runtime import LambdaRuntime
from devstack.management_api import ManagementApi
from devstack.options import StackOptions, parse
from devstack.parent_watch import exit_with_parent
from devstack.rest_server import RestServer
from devstack.status import StatusChecks
from devstack.sweeper import Sweeper
from devstack.ws_connections import LiveConnections
from devstack.ws_gateway import WebsocketGateway

SHUTDOWN_TIMEOUT = 5.0


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(argv, prog="python -m devstack.app_host")
    logs.configure()
    # Powertools warns on every invocation that flushes no metric; locally that is noise.
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    exit_with_parent()
    from app import app  # only now is the environment complete

    web.run_app(
        build(app, options),
        host=options.host,
        port=options.port,
        print=None,
        access_log=None,
        shutdown_timeout=SHUTDOWN_TIMEOUT,
    )
    return 0


def build(app: Chalice, options: StackOptions) -> web.Application:
    settings = wiring.services().settings
    runtime = LambdaRuntime(app, stage=settings.stage)
    connections = LiveConnections()
    gateway = WebsocketGateway(
        runtime,
        connections,
        api_id=settings.websocket_api_id or WS_API_ID,
        stage=settings.websocket_stage,
        idle_timeout=options.ws_idle_timeout,
    )
    s3 = boto3.client("s3", region_name=settings.region)
    sweeper = Sweeper(
        runtime,
        interval=options.sweep_interval,
        region=settings.region,
        after_run=retention.Schedule(s3=s3, bucket=settings.attachments_bucket).run,
    )
    status = StatusChecks(
        app=app,
        options=options,
        connections=connections,
        sweeper=sweeper,
        sender=sender_email(),
    )
    rest = RestServer(app, host=options.host, port=options.api_port)

    async def background(_: web.Application) -> AsyncIterator[None]:
        rest.start()
        task = asyncio.create_task(sweeper.run_forever(), name="sweeper")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        rest.stop()
        await asyncio.to_thread(runtime.close)

    web_app = web.Application()
    web_app.cleanup_ctx.extend([background, http_client])
    web_app.on_shutdown.append(gateway.close_all)
    web_app.add_routes(
        [
            *gateway.routes(),
            *ManagementApi(connections).routes(),
            *api_proxy.routes(options.api_url),
            *status.routes(),
            *outbox.routes(options.moto_url),
            *pages.routes(),
            *media_lab.routes(options.websocket_url),
            *web_files.routes(),  # last: it matches every other path
        ]
    )
    return web_app


if __name__ == "__main__":
    raise SystemExit(main())
