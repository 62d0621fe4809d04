"""Lets a child process of the stack end itself when the supervisor is gone.

The supervisor stops its children on Ctrl-C or SIGTERM; if it is killed outright it cannot,
so each long-running child watches its parent and sends itself SIGTERM when it disappears.
"""

from __future__ import annotations

import os
import signal
import threading
import time


def exit_with_parent(*, interval: float = 1.0) -> None:
    """Start a daemon thread that sends this process SIGTERM once its parent has changed."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
