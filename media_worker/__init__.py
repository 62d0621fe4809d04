"""The media worker: forwards encoded audio and video between a room's participants.

`RoomManager` (in `rooms`) is the interface the worker's control API calls. Forwarding never
decodes or encodes (`forwarding`); every hook into aiortc's internals lives in
`aiortc_hooks`, checked by `aiortc_hooks.check_compatible()`. Errors: `errors`.
"""
