"""The device check's echo: the browser's own media comes back, with plausible statistics."""

from __future__ import annotations

from typing import Any

import pytest

from media_worker.errors import UnknownEchoSession
from media_worker.rooms import RoomManager
from tests.media_worker.codec_spy import spy_on_codecs
from tests.media_worker.forwarding.clients import Client, eventually, run

pytestmark = pytest.mark.slow


def test_echo_loops_the_media_back_undecoded_and_reports_plausible_statistics() -> None:
    async def scenario() -> None:
        manager = RoomManager(ice_servers=[])
        client = Client(77, slots=0)
        with spy_on_codecs() as spy:
            session_id, answer = await manager.start_echo(await client.offer())
            await client.accept(answer)
            assert manager.load() == 1
            video_back = client.own_counters["video"]
            await eventually(
                lambda: video_back.frames > 5 and client.own_counters["audio"].frames > 5,
                timeout=5,
                what="the looped-back media",
            )
            assert abs((video_back.last_luma or 0) - 77) < 8
            stats: dict[str, Any] = {}

            async def measured() -> bool:
                stats.update(await manager.echo_stats(session_id))
                return all(stats[kind]["rtt_ms"] is not None for kind in ("audio", "video"))

            await eventually(measured, timeout=8, what="round-trip times from RTCP")
            assert [spy.codecs_created_by(peer.pc) for peer in manager.peers()] == [[]]
        for summary in (stats, stats["audio"], stats["video"]):
            assert 0 < summary["rtt_ms"] < 200
            assert 0 <= summary["packet_loss"] <= 1
            assert 0 <= summary["jitter_ms"] < 200
            assert summary["received_bitrate_kbps"] > 0
        assert stats["audio"]["uplink"]["packets_received"] > 0
        assert stats["quality"] == "green"
        await manager.stop_echo(session_id)
        assert manager.load() == 0
        with pytest.raises(UnknownEchoSession):
            await manager.echo_stats(session_id)
        await manager.close()
        await client.close()

    run(scenario())
