/**
 * The media lab page: joins a demo consultation's call with the web UI's own modules.
 *
 * Query parameters: `consultation` (default demo-call), `relay=1` to use TURN relays only.
 * `window.mediaLab` exposes the session for the browser tests.
 */
import { RealtimeChannel } from '/js/realtime.js';
import { CallSession, SLOTS } from '/js/media/call_session.js';

const params = new URLSearchParams(window.location.search);
const state = document.getElementById('state');

async function start() {
  const response = await fetch('/dev/media/ticket', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ consultation_id: params.get('consultation') || undefined }),
  });
  if (!response.ok) throw new Error(`no ticket: ${response.status}`);
  const { ticket, websocket_url: websocketUrl, participant_id: participantId } = await response.json();
  const channel = await new RealtimeChannel(`${websocketUrl}?ticket=${encodeURIComponent(ticket)}`).open();
  const localStream = await navigator.mediaDevices.getUserMedia({
    audio: true,
    video: { width: 640, height: 480 },
  });
  document.getElementById('local').srcObject = localStream;
  const session = new CallSession({
    channel,
    localStream,
    relayOnly: params.get('relay') === '1',
    onSlotStream: (slot, stream) => {
      document.getElementById(`slot-${slot}`).srcObject = stream;
    },
    onRoster: (others) => {
      for (let slot = 0; slot < SLOTS; slot += 1) {
        const other = others.find((o) => o.slot === slot);
        document.getElementById(`caption-${slot}`).textContent = other ? other.participant_id : 'Empty';
      }
      state.textContent = `In the call as ${participantId}; ${others.length} other participant(s).`;
    },
  });
  await session.start();
  window.mediaLab = { participantId, session, received: () => session.receivedPerSlot() };
  state.textContent = `In the call as ${participantId}; waiting for others.`;
}

start().catch((error) => {
  state.textContent = `Could not join: ${error.message}`;
  window.mediaLab = { error: error.message };
});
