"""The call's connection-quality words (`web/shared/call/quality.js`), run in Node: the
module has no DOM, so its rules and its per-reading deltas are checked without a browser.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

MODULE = Path(__file__).resolve().parents[2] / "web" / "shared" / "call" / "quality.js"

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="needs Node (make test)")


def run(script: str) -> Any:
    source = f"import * as quality from {json.dumps(MODULE.as_uri())};\n{script}"
    done = subprocess.run(
        ["node", "--input-type=module", "-e", source],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    ("reading", "word"),
    [
        ({"rttS": 0.05, "lossRatio": 0.0, "jitterS": 0.005}, "good"),
        ({"rttS": 0.45, "lossRatio": 0.0, "jitterS": 0.005}, "fair"),
        ({"rttS": 0.05, "lossRatio": 0.05, "jitterS": 0.005}, "fair"),
        ({"rttS": 0.05, "lossRatio": 0.0, "jitterS": 0.12}, "poor"),
        ({"rttS": 0.9, "lossRatio": 0.0, "jitterS": 0.0}, "poor"),
        ({"rttS": 0.05, "lossRatio": 0.2, "jitterS": 0.0}, "poor"),
    ],
)
def test_quality_words(reading: dict[str, float], word: str) -> None:
    assert run(f"console.log(JSON.stringify(quality.qualityOf({json.dumps(reading)})))") == word


def test_loss_is_measured_since_the_last_reading_not_since_the_call_began() -> None:
    # 1,000 packets lost early in the call, then a clean stretch: the second reading is good.
    script = """
    const meter = new quality.QualityMeter();
    const report = (received) => ({ id: 'in', packetsReceived: received, packetsLost: 1000,
                                    jitter: 0.01 });
    const first = meter.reading(report(9000), 0.05);
    const second = meter.reading(report(10000), 0.05);
    const words = [quality.qualityOf(first), quality.qualityOf(second), second.lossRatio];
    console.log(JSON.stringify(words));
    """
    assert run(script) == ["poor", "good", 0]
