"""Every hook into aiortc's and aioice's internals, each checked against the installed version."""
