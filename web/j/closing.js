// The closing page, once the consultation has ended: a thank-you, the patient's consent
// receipt and, if the clinic allows it (`chat_after_end`), the chat to read back (nothing
// more can be written). Shown when the clinician ends the consultation (a live frame) and
// on any later visit while the participant's session still lasts.
import { callApi } from "/shared/api.js";
import { el } from "/shared/dom.js";
import { ChatPanel } from "/shared/chat/panel.js";
import { filesApi } from "/shared/chat/files.js";
import { chatWords } from "/shared/chat/words.js";
import { liveChannel } from "/j/live.js";

export async function render(page) {
  const { texts } = page;
  page.setStep(null);
  page.setTitle("page.closing.title");
  document.getElementById("on-phone").hidden = true;
  const thanks = el("p", { class: "lead" });
  texts.say(thanks, "page.closing.body");
  const receipt = el("a", { href: "/j/receipt.html", target: "_blank", rel: "noopener" });
  texts.say(receipt, "page.terms.receipt");
  page.view.append(thanks, el("p", {}, receipt));
  let room = page.room;
  try {
    room = await callApi("GET", "/api/participant/waiting-room");
    page.room = room;
  } catch {
    return {}; // the session has ended too: the thank-you and the receipt link stay
  }
  if (!room.chat_after_end) return {};
  const chat = new ChatPanel({
    channel: liveChannel(),
    consultationId: room.consultation.consultation_id,
    me: { kind: "participant", id: room.me.participant_id },
    files: filesApi("/api/participant", (method, path, body) => callApi(method, path, { body })),
    words: chatWords(texts),
    language: () => texts.language,
    initial: room.chat,
    readOnly: true,
  });
  page.view.append(chat.element);
  return {
    cleanup: () => chat.dispose(),
    relabel: () => chat.relabel(),
  };
}
