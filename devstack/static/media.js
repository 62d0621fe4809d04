/**
 * The media lab page: joins a demo consultation's call with the web UI's own modules.
 *
 * Query parameters: `consultation` (default demo-call), `relay=1` to use TURN relays only.
 * `window.mediaLab` exposes the session for the browser tests.
 */
import { CallSession, SLOTS } from '/shared/media/call-session.js';
import { RealtimeChannel } from '/shared/realtime.js';

const params = new URLSearchParams(window.location.search);
const state = document.getElementById('state');

// A ticket for the lab's participant: a new one on the first call, the same one afterwards
// (each reconnection of the channel needs a fresh ticket).
async function labTicket(participantId) {
  const response = await fetch('/dev/media/ticket', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      consultation_id: params.get('consultation') || undefined,
      participant_id: participantId,
    }),
  });
  if (!response.ok) throw new Error(`no ticket: ${response.status}`);
  return response.json();
}

async function start() {
  const first = await labTicket();
  const { websocket_url: websocketUrl, participant_id: participantId } = first;
  let ticket = first.ticket;
  const channel = new RealtimeChannel({
    url: websocketUrl,
    ticket: async () => {
      const next = ticket || (await labTicket(participantId)).ticket;
      ticket = null;
      return next;
    },
  });
  channel.addEventListener('reconnecting', () => {
    state.textContent = 'Connection lost; reconnecting…';
  });
  await channel.open();
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
