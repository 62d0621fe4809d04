"""The media worker benchmark: forwarding against aiortc's transcoding relay (see README)."""
