"""The REST API through Chalice's own local server: the code path of `chalice local`.

`chalice local` builds its server with `CLIFactory.create_config_obj` and
`chalice.local.create_local_server`; so does this module, in a background thread. The app
object is imported by the app host (after its environment is set), not by Chalice's
loader, which would copy `.chalice/config.json`'s stage variables into the environment.
"""

from __future__ import annotations

import threading

from chalice import Chalice
from chalice.cli.factory import CLIFactory
from chalice.local import LocalDevServer, create_local_server

from devstack import PROJECT_ROOT

#: The Chalice stage whose settings (timeouts, memory) the local server uses.
CHALICE_STAGE = "dev"


class RestServer:
    def __init__(self, app: Chalice, *, host: str, port: int) -> None:
        self._app = app
        self._host = host
        self._port = port
        self._server: LocalDevServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Bind the port now (so failures surface at once) and serve in a thread."""
        config = CLIFactory(str(PROJECT_ROOT)).create_config_obj(chalice_stage_name=CHALICE_STAGE)
        self._server = create_local_server(self._app, config, self._host, self._port)
        self._thread = threading.Thread(
            target=self._server.server.serve_forever, name="chalice-local", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.shutdown()
        self._server.server.server_close()
        self._thread.join(timeout=5)
