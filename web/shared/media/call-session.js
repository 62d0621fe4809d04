/**
 * One browser's media session with the media worker its consultation is assigned to.
 *
 * The peer connection is laid out once, so that nobody joining or leaving ever needs a
 * renegotiation: the page's own microphone and camera (`sendrecv` audio, then video),
 * then SLOTS times a `recvonly` audio and video pair. Each participant has a seat in the
 * room (the roster: `[{participant_id, seat}]`); the worker forwards the participant in
 * seat (mine + 1 + k) mod (SLOTS + 1) into my slot k. Signaling goes over the page's
 * realtime channel:
 * `media.config` (ICE servers, TURN credentials included), `media.join` (offer →
 * answer and roster), `media.ice`, `media.leave`, and pushed `media.roster` frames.
 *
 * When the peer connection fails (the worker went away, the network changed), the session
 * joins again on its own: the app then assigns the consultation to a live worker, and a
 * worker that still has the room simply replaces the participant's old connection. It does
 * not wait for the browser to call the connection failed (about 30 s): a connection still
 * disconnected after DISCONNECTED_GRACE_MS, or the device coming back online (Wi-Fi to
 * mobile), starts the new one at once.
 *
 * A clinician's connection serves the whole clinic: `scope` (`{consultation_id}`) goes with
 * every signaling request.
 */

export const SLOTS = 3;
const GATHERING_TIMEOUT_MS = 5000;
const REJOIN_DELAY_MS = 3000;
const DISCONNECTED_GRACE_MS = 3000;
const PREFERRED = { video: ['video/VP8', 'video/H264'], audio: ['audio/opus'] };

export class CallSession {
  /**
   * @param {object} options
   * @param {import('../realtime.js').RealtimeChannel} options.channel
   * @param {MediaStream} options.localStream the page's microphone and camera
   * @param {(slot: number, stream: MediaStream) => void} [options.onSlotStream]
   * @param {(others: {participant_id: string, slot: number}[]) => void} [options.onRoster]
   *   who is shown in which slot, whenever somebody joins or leaves
   * @param {boolean} [options.relayOnly] only TURN relays (networks that block UDP)
   * @param {object} [options.scope] fields every signaling request carries
   * @param {(state: string) => void} [options.onState] the peer connection's state
   */
  constructor({
    channel,
    localStream,
    onSlotStream = () => {},
    onRoster = () => {},
    relayOnly = false,
    scope = {},
    onState = () => {},
  }) {
    this.channel = channel;
    this.scope = scope;
    this.onState = onState;
    this.disconnectedTimer = null;
    this.localStream = localStream;
    this.onSlotStream = onSlotStream;
    this.onRoster = onRoster;
    this.relayOnly = relayOnly;
    this.connection = null;
    this.leaving = false;
    this.slotTransceivers = [];
    this.roster = [];
    this.participantId = null;
    this.onRosterFrame = (frame) => {
      if (!frame.consultation_id || !scope.consultation_id || frame.consultation_id === scope.consultation_id) {
        this.updateRoster(frame.roster);
      }
    };
    channel.on('media.roster', this.onRosterFrame);
    this.onOnline = () => {
      if (this.connection && this.connection.connectionState !== 'connected' && !this.leaving) this.rejoinSoon();
    };
    window.addEventListener('online', this.onOnline);
  }

  request(type, data = {}) {
    return this.channel.request(type, { ...this.scope, ...data });
  }

  rejoinSoon() {
    this.rejoin().catch(() => setTimeout(() => this.rejoin().catch(() => {}), REJOIN_DELAY_MS));
  }

  async start() {
    const config = await this.request('media.config');
    const iceServers = config.ice_servers;
    this.participantId = config.participant_id;
    const connection = new RTCPeerConnection({
      iceServers,
      bundlePolicy: 'max-bundle',
      iceTransportPolicy: this.relayOnly ? 'relay' : 'all',
    });
    this.connection = connection;
    this.slotTransceivers = [];
    connection.addEventListener('connectionstatechange', () => {
      if (connection !== this.connection || this.leaving) return;
      const state = connection.connectionState;
      this.onState(state);
      clearTimeout(this.disconnectedTimer);
      if (state === 'failed') this.rejoinSoon();
      if (state === 'disconnected') {
        this.disconnectedTimer = setTimeout(() => {
          if (connection === this.connection && connection.connectionState === 'disconnected') this.rejoinSoon();
        }, DISCONNECTED_GRACE_MS);
      }
    });
    for (const kind of ['audio', 'video']) {
      // Always able to send, even with no track yet (sound only): a camera turned on later
      // is `replaceTrack`, never a renegotiation, and the worker counts only the slots'
      // transceivers as receive-only.
      const track = this.localStream.getTracks().find((t) => t.kind === kind);
      const transceiver = connection.addTransceiver(track || kind, {
        direction: 'sendrecv',
        streams: [this.localStream],
      });
      preferCodecs(transceiver, kind);
    }
    for (let slot = 0; slot < SLOTS; slot += 1) {
      const pair = ['audio', 'video'].map((kind) => {
        const transceiver = connection.addTransceiver(kind, { direction: 'recvonly' });
        preferCodecs(transceiver, kind);
        return transceiver;
      });
      this.slotTransceivers.push(pair);
      this.onSlotStream(slot, new MediaStream(pair.map((t) => t.receiver.track)));
    }
    connection.addEventListener('icecandidate', (event) => {
      if (event.candidate && connection.remoteDescription) {
        this.request('media.ice', { candidate: event.candidate.toJSON() }).catch(() => {});
      }
    });
    await connection.setLocalDescription(await connection.createOffer());
    await gatheringComplete(connection, GATHERING_TIMEOUT_MS);
    const answer = await this.request('media.join', { sdp: connection.localDescription.sdp });
    await connection.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    this.updateRoster(answer.roster);
    return this;
  }

  /** Starts over with a new peer connection, on whichever worker has the room now. */
  async rejoin() {
    this.connection?.close();
    return this.start();
  }

  updateRoster(roster) {
    this.roster = roster || [];
    this.onRoster(othersBySlot(this.roster, this.participantId));
  }

  /**
   * Sends `track` (or nothing, with null) as the own audio or video, without renegotiating:
   * switching cameras, going to sound only, a privacy pause.
   */
  async replaceTrack(kind, track) {
    const index = kind === 'audio' ? 0 : 1;
    const transceiver = this.connection?.getTransceivers()[index];
    if (transceiver) await transceiver.sender.replaceTrack(track);
  }

  /** Pauses or resumes sending a kind ('audio' or 'video') without renegotiating. */
  setSending(kind, enabled) {
    for (const track of this.localStream.getTracks()) {
      if (track.kind === kind) track.enabled = enabled;
    }
  }

  /** Frames decoded and audio received per slot, from the browser's own statistics. */
  async receivedPerSlot() {
    const stats = await this.connection.getStats();
    const byTrack = new Map();
    stats.forEach((report) => {
      if (report.type === 'inbound-rtp') byTrack.set(report.trackIdentifier, report);
    });
    return this.slotTransceivers.map(([audio, video]) => ({
      framesDecoded: byTrack.get(video.receiver.track.id)?.framesDecoded ?? 0,
      audioBytesReceived: byTrack.get(audio.receiver.track.id)?.bytesReceived ?? 0,
    }));
  }

  async leave() {
    this.leaving = true;
    clearTimeout(this.disconnectedTimer);
    this.channel.off('media.roster', this.onRosterFrame);
    window.removeEventListener('online', this.onOnline);
    try {
      await this.request('media.leave');
    } finally {
      this.connection?.close();
    }
  }

  /** Closes the connection without telling the worker (the consultation ended for all). */
  close() {
    this.leaving = true;
    clearTimeout(this.disconnectedTimer);
    this.channel.off('media.roster', this.onRosterFrame);
    window.removeEventListener('online', this.onOnline);
    this.connection?.close();
  }
}

/** The other participants with the slot each one is shown in, for the viewer `me`. */
export function othersBySlot(roster, me) {
  const mine = roster.find((member) => member.participant_id === me);
  if (!mine) return [];
  const seats = SLOTS + 1;
  return roster
    .filter((member) => member.participant_id !== me)
    .map((member) => ({
      participant_id: member.participant_id,
      slot: (member.seat - mine.seat - 1 + seats) % seats,
    }))
    .sort((a, b) => a.slot - b.slot);
}

function preferCodecs(transceiver, kind) {
  const capabilities = RTCRtpReceiver.getCapabilities?.(kind);
  if (!capabilities || !transceiver.setCodecPreferences) return;
  const rank = (codec) => {
    const index = PREFERRED[kind].indexOf(codec.mimeType);
    return index === -1 ? PREFERRED[kind].length : index;
  };
  const codecs = [...capabilities.codecs].sort((a, b) => rank(a) - rank(b));
  transceiver.setCodecPreferences(codecs);
}

function gatheringComplete(connection, timeoutMs) {
  if (connection.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    connection.addEventListener('icegatheringstatechange', () => {
      if (connection.iceGatheringState === 'complete') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}
