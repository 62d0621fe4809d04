// How good each connection of a call is, from the browser's own WebRTC statistics, in three
// words a person understands: good, fair, poor. Measured every few seconds from the change
// since the last reading (packets lost of those expected, jitter) and the connection's
// round-trip time; a slot with nothing received yet has no quality.

const LIMITS = {
  good: { rttS: 0.3, lossRatio: 0.02, jitterS: 0.03 },
  fair: { rttS: 0.6, lossRatio: 0.08, jitterS: 0.08 },
};

/** "good", "fair" or "poor" for a round trip, a share of packets lost and a jitter. */
export function qualityOf({ rttS = 0, lossRatio = 0, jitterS = 0 }) {
  const within = (limit) => rttS <= limit.rttS && lossRatio <= limit.lossRatio && jitterS <= limit.jitterS;
  if (within(LIMITS.good)) return "good";
  if (within(LIMITS.fair)) return "fair";
  return "poor";
}

export class QualityMeter {
  constructor() {
    this.previous = new Map(); // inbound-rtp id -> {received, lost}
  }

  /**
   * `{own, slots}`: the own connection's quality (what this browser receives overall) and
   * each slot's (its video, else its audio), from `connection.getStats()`.
   * @param {RTCPeerConnection} connection
   * @param {RTCRtpTransceiver[][]} slotTransceivers [audio, video] per slot
   */
  async measure(connection, slotTransceivers) {
    const stats = await connection.getStats();
    let rttS = 0;
    const inbound = new Map();
    stats.forEach((report) => {
      if (report.type === "candidate-pair" && report.nominated && report.currentRoundTripTime !== undefined) {
        rttS = report.currentRoundTripTime;
      }
      if (report.type === "inbound-rtp") inbound.set(report.trackIdentifier, report);
    });
    const readings = [];
    const slots = slotTransceivers.map(([audio, video]) => {
      const report = inbound.get(video.receiver.track.id) || inbound.get(audio.receiver.track.id);
      if (!report || !report.packetsReceived) return null;
      const reading = this.reading(report, rttS);
      readings.push(reading);
      return qualityOf(reading);
    });
    const worst = readings.reduce(
      (all, one) => ({
        rttS: Math.max(all.rttS, one.rttS),
        lossRatio: Math.max(all.lossRatio, one.lossRatio),
        jitterS: Math.max(all.jitterS, one.jitterS),
      }),
      { rttS, lossRatio: 0, jitterS: 0 },
    );
    return { own: qualityOf(worst), slots };
  }

  reading(report, rttS) {
    const before = this.previous.get(report.id) || { received: 0, lost: 0 };
    const received = report.packetsReceived - before.received;
    const lost = Math.max(0, (report.packetsLost || 0) - before.lost);
    this.previous.set(report.id, { received: report.packetsReceived, lost: report.packetsLost || 0 });
    const expected = received + lost;
    return { rttS, lossRatio: expected > 0 ? lost / expected : 0, jitterS: report.jitter || 0 };
  }
}
