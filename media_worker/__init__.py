"""The media worker: forwards encoded audio and video between a room's participants.

`RoomManager` (in `rooms`) is the interface the worker's control API calls. Forwarding moves
RTP packets and never decodes or encodes (`forwarding`); every hook into aiortc's and
aioice's internals lives in `aiortc_hooks`, checked by `pass_through.check_compatible()`
and `ice.check_compatible()`. Errors: `errors`.
"""
