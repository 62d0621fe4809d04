"""The media worker as a child of the local stack: `python -m media_worker`, watched.

The worker's own entry point runs unchanged, with the environment of
`devstack.environment.media_worker_environment`; the one addition is the parent watch, so
a worker whose supervisor was killed outright gets SIGTERM and drains, as on ECS.
(`runpy` rather than an import keeps devstack's type check off the worker's modules.)
"""

from __future__ import annotations

import runpy

from devstack.parent_watch import exit_with_parent


def main() -> None:
    exit_with_parent()
    runpy.run_module("media_worker", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
