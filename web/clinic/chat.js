// A consultation's chat on the clinic pages (the consultation page, the dashboard's
// "Messages" dialog): the shared panel (`/shared/chat/panel.js`) on the clinic's websocket,
// with the clinician's file routes. A clinician's connection serves the whole clinic, so
// every chat request names the consultation.
import { ChatPanel } from "/shared/chat/panel.js";
import { filesApi } from "/shared/chat/files.js";
import { chatWords } from "/shared/chat/words.js";

/** The chat's panel; its `element` goes on the page, `dispose()` when it leaves. */
export function chatPanel({ session, channel, consultationId, headingLevel = "h2", onArrived }) {
  return new ChatPanel({
    channel,
    consultationId,
    me: { kind: "clinician", id: session.clinician.clinician_id },
    namesConsultation: true,
    files: filesApi(`/api/consultations/${encodeURIComponent(consultationId)}`, (method, path, body) =>
      session.call(method, path, body),
    ),
    words: chatWords(),
    language: () => "en",
    headingLevel,
    onArrived,
  });
}

/** The consultation page's chat section. */
export function openChat(options) {
  return chatPanel(options).element;
}
