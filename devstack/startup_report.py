"""What `make run` prints once the stack is up: every component's state, from the status page.

The supervisor reads `/dev/status.json` once, as a person opening the status page would,
and prints one line per component, so a failing one (coturn not installed, say) shows in
the terminal without opening a browser.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from devstack.options import StackOptions

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def report(options: StackOptions, *, timeout: float = 30.0) -> str:
    try:
        with _OPENER.open(f"{options.front_url}/dev/status.json", timeout=timeout) as response:
            status = json.load(response)
    except (urllib.error.URLError, OSError, ValueError) as error:
        return f"The status page could not be read ({error}); open {options.status_url}."
    components = status["components"]
    failing = [c for c in components if not c["healthy"]]
    lines = [
        f"  {'ok  ' if c['healthy'] else 'FAIL'}  {c['label']}: {c['detail']}" for c in components
    ]
    summary = (
        f"All {len(components)} components are healthy:"
        if not failing
        else f"{len(failing)} of {len(components)} components failing:"
    )
    return "\n".join([summary, *lines])
