"""A test-only spy on aiortc's codec factories: proof that the worker's peers never transcode.

`spy_on_codecs()` temporarily wraps aiortc's module-level `get_decoder` and `get_encoder`
and records which receivers and senders created a codec; `codecs_created_by(pc)` names them
for one peer connection. It lives with the tests because the worker never runs it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiortc import RTCPeerConnection, rtcrtpreceiver, rtcrtpsender


@dataclass
class CodecSpy:
    """Records which aiortc receivers and senders created a decoder or an encoder."""

    decoder_queues: list[object] = field(default_factory=list)
    encoder_senders: list[object] = field(default_factory=list)

    def codecs_created_by(self, pc: RTCPeerConnection) -> list[str]:
        """'decoder'/'encoder' once per receiver/sender of `pc` that created one."""
        created = []
        for transceiver in pc.getTransceivers():
            track = transceiver.receiver._track
            if track is not None and any(q is track._queue for q in self.decoder_queues):
                created.append("decoder")
            if any(s is transceiver.sender for s in self.encoder_senders):
                created.append("encoder")
        return created


@contextmanager
def spy_on_codecs() -> Iterator[CodecSpy]:
    """Within the block, record every `get_decoder`/`get_encoder` call and its owner."""
    spy = CodecSpy()
    real_get_decoder = getattr(rtcrtpreceiver, "get_decoder")  # noqa: B009
    real_get_encoder = getattr(rtcrtpsender, "get_encoder")  # noqa: B009

    def get_decoder(codec: Any) -> Any:
        spy.decoder_queues.append(sys._getframe(1).f_locals.get("output_q"))
        return real_get_decoder(codec)

    def get_encoder(codec: Any) -> Any:
        spy.encoder_senders.append(sys._getframe(1).f_locals.get("self"))
        return real_get_encoder(codec)

    setattr(rtcrtpreceiver, "get_decoder", get_decoder)  # noqa: B010
    setattr(rtcrtpsender, "get_encoder", get_encoder)  # noqa: B010
    try:
        yield spy
    finally:
        setattr(rtcrtpreceiver, "get_decoder", real_get_decoder)  # noqa: B010
        setattr(rtcrtpsender, "get_encoder", real_get_encoder)  # noqa: B010
