// The call, on the patient's page: the call view (`/shared/call/call-view.js`) with the chat
// below it, in the participant's language. Opened when the patient answers, or on a reload
// while they are in the call. Leaving goes back to the waiting room (the clinician can call
// again); the clinician ending the consultation closes the call and shows the closing page.
import { el } from "/shared/dom.js";
import { callApi } from "/shared/api.js";
import { CallView } from "/shared/call/call-view.js";
import { callWords } from "/shared/call/words.js";
import { ChatPanel } from "/shared/chat/panel.js";
import { filesApi } from "/shared/chat/files.js";
import { chatWords } from "/shared/chat/words.js";
import { liveChannel } from "/j/live.js";
import { CallMembers } from "/shared/call/members.js";

export async function render(page, { answer = "video" } = {}) {
  const { texts } = page;
  const channel = liveChannel();
  page.setStep(null);
  page.setTitle("page.call.title");
  const view = new CallView({
    channel,
    words: callWords(texts),
    mode: answer === "audio" ? "audio" : "video",
    members: new CallMembers(channel, chatWords(texts)),
    privacyPause: true,
    onLeave: () => {
      // Left the call: back into the waiting room (the server moves `left -> waiting`).
      page.room.me.presence = "left";
      page.open("waiting");
    },
  });
  const chat = new ChatPanel({
    channel,
    consultationId: page.room.consultation.consultation_id,
    me: { kind: "participant", id: page.room.me.participant_id },
    files: filesApi("/api/participant", (method, path, body) => callApi(method, path, { body })),
    words: chatWords(texts),
    language: () => texts.language,
  });
  const problem = el("p", { class: "message", role: "alert" });
  page.view.append(view.element, problem, chat.element);
  const onEnded = (frame) => {
    if (frame.consultation_id && frame.consultation_id !== page.room.consultation.consultation_id) return;
    view.stop();
    page.over("ended");
  };
  channel.on("call.ended", onEnded);
  try {
    await view.start();
  } catch (error) {
    texts.say(problem, error?.name === "NotAllowedError" || error?.name === "NotReadableError" ? "page.call.no_devices" : "page.call.unavailable", { error: true });
    const retry = el("button", { type: "button", class: "primary", onclick: () => page.open("call", { answer }) });
    texts.say(retry, "page.call.try_again");
    problem.after(retry);
  }
  return {
    cleanup() {
      channel.off("call.ended", onEnded);
      view.stop();
      chat.dispose();
    },
    relabel() {
      chat.relabel();
    },
  };
}
