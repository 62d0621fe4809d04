// The connection test through the real media path: the page's own camera and microphone go
// to the media worker and come back (`media.echo.start {sdp}` -> `media.echo {session_id,
// sdp}`, then `media.echo.stats` and `media.echo.stop`), over the same ICE servers (TURN
// included, from `media.config`) as the call. Round-trip time, jitter, loss and bitrate come
// from the browser's getStats over a few seconds, combined with the worker's own verdict.
import { liveChannel } from "/j/live.js";

const GATHER_MS = 5000;
const CONNECT_MS = 12000;
const MEASURE_MS = 4000;
// (green up to, orange up to), like the worker's thresholds
const RTT_MS = [300, 800];
const LOSS_PERCENT = [2, 10];
const JITTER_MS = [30, 100];
const RANK = { green: 0, orange: 1, red: 2 };

function grade(value, [green, orange]) {
  if (value === null || value === undefined) return "green";
  return value <= green ? "green" : value <= orange ? "orange" : "red";
}

const worst = (...lights) => lights.reduce((a, b) => (RANK[b] > RANK[a] ? b : a), "green");

/** Runs the echo with `stream`'s tracks; resolves with { light, metrics }, never rejects. */
export async function testConnection(stream) {
  const empty = { rtt_ms: null, jitter_ms: null, loss_percent: null, bitrate_kbps: null };
  const channel = liveChannel();
  let connection = null;
  let sessionId = null;
  try {
    const config = await channel.request("media.config");
    connection = new RTCPeerConnection({ iceServers: config.ice_servers, bundlePolicy: "max-bundle" });
    const tracks = stream ? stream.getTracks() : [];
    if (!tracks.length) tracks.push(silentTrack());
    for (const track of tracks) connection.addTransceiver(track, { direction: "sendrecv" });
    await connection.setLocalDescription(await connection.createOffer());
    await gathered(connection);
    const answer = await channel.request("media.echo.start", { sdp: connection.localDescription.sdp });
    sessionId = answer.session_id;
    await connection.setRemoteDescription({ type: "answer", sdp: answer.sdp });
    await connected(connection);
    const first = await snapshot(connection);
    await new Promise((resolve) => setTimeout(resolve, MEASURE_MS));
    const last = await snapshot(connection);
    const metrics = measure(first, last);
    const packetsBack = last.received - first.received;
    let workerLight = "green";
    try {
      const { stats } = await channel.request("media.echo.stats", { session_id: sessionId });
      if (stats && stats.quality) workerLight = stats.quality;
      if (metrics.rtt_ms === null && stats && stats.rtt_ms != null) metrics.rtt_ms = Math.round(stats.rtt_ms);
    } catch {
      // The browser's own figures are enough.
    }
    metrics.worker_quality = workerLight;
    const light = worst(
      grade(metrics.rtt_ms, RTT_MS),
      grade(metrics.loss_percent, LOSS_PERCENT),
      grade(metrics.jitter_ms, JITTER_MS),
      packetsBack === 0 ? "red" : "green", // nothing came back: the path is broken
      workerLight,
    );
    return { light, metrics };
  } catch {
    return { light: "red", metrics: empty };
  } finally {
    if (sessionId) channel.request("media.echo.stop", { session_id: sessionId }).catch(() => {});
    connection?.close();
  }
}

function silentTrack() {
  const context = new AudioContext();
  const destination = context.createMediaStreamDestination();
  context.createOscillator().connect(destination);
  return destination.stream.getAudioTracks()[0];
}

function gathered(connection) {
  if (connection.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, GATHER_MS);
    connection.addEventListener("icegatheringstatechange", () => {
      if (connection.iceGatheringState === "complete") {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

function connected(connection) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no connection")), CONNECT_MS);
    const check = () => {
      if (connection.connectionState === "connected") {
        clearTimeout(timer);
        resolve();
      } else if (connection.connectionState === "failed") {
        clearTimeout(timer);
        reject(new Error("failed"));
      }
    };
    connection.addEventListener("connectionstatechange", check);
    check();
  });
}

async function snapshot(connection) {
  const stats = await connection.getStats();
  const figures = { at: performance.now(), bytes: 0, lost: 0, received: 0, jitter: 0, rtt: null };
  stats.forEach((report) => {
    if (report.type === "inbound-rtp") {
      figures.bytes += report.bytesReceived || 0;
      figures.lost += Math.max(0, report.packetsLost || 0);
      figures.received += report.packetsReceived || 0;
      figures.jitter = Math.max(figures.jitter, report.jitter || 0);
    }
    if (report.type === "candidate-pair" && report.nominated && report.currentRoundTripTime !== undefined) {
      figures.rtt = report.currentRoundTripTime;
    }
  });
  return figures;
}

function measure(first, last) {
  const seconds = (last.at - first.at) / 1000;
  const lost = last.lost - first.lost;
  const received = last.received - first.received;
  return {
    rtt_ms: last.rtt === null ? null : Math.round(last.rtt * 1000),
    jitter_ms: Math.round(last.jitter * 1000),
    loss_percent: received + lost > 0 ? Math.round((1000 * lost) / (received + lost)) / 10 : null,
    bitrate_kbps: seconds > 0 ? Math.round(((last.bytes - first.bytes) * 8) / seconds / 1000) : null,
  };
}
