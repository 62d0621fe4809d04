// Step 3: the waiting room. Entering it (`POST /api/participant/waiting`), then: who the
// patient waits for, the appointment time, any delay the clinician announced, an estimate
// as a range in plain words, and "Text me when it's my turn". Live over the websocket
// (`waiting_room.*` frames); after a reconnection the page reads the waiting room again so
// nothing pushed meanwhile is missed. `waiting_room.called` rings (`/shared/call/ringer.js`)
// and offers to answer with camera and microphone, with sound only, or not now
// (`call.answer`); answering opens the call (`/j/call.js`). Below, the chat with the clinic.
import { ApiError, callApi } from "/shared/api.js";
import { el } from "/shared/dom.js";
import { liveChannel } from "/j/live.js";
import { ChatPanel } from "/shared/chat/panel.js";
import { filesApi } from "/shared/chat/files.js";
import { chatWords } from "/shared/chat/words.js";

let shown = null; // the rendered waiting room the channel's frames go to
let subscribed = false;

function subscribe(page) {
  if (subscribed) return;
  subscribed = true;
  const channel = liveChannel();
  const mine = (frame) => frame.consultation_id === page.room?.consultation.consultation_id;
  channel.on("waiting_room.delay", (frame) => {
    if (!mine(frame)) return;
    page.room.delay = frame.delay;
    shown?.update();
  });
  channel.on("waiting_room.estimate", (frame) => {
    if (!mine(frame)) return;
    page.room.estimate = frame.estimate;
    shown?.update();
  });
  channel.on("waiting_room.called", (frame) => {
    if (!mine(frame)) return;
    const me = page.room?.me.participant_id;
    if (frame.participant_ids && !frame.participant_ids.includes(me)) return; // someone else
    page.room.consultation.call_number = frame.call_number;
    shown?.called(frame, { ring: true });
  });
  channel.on("waiting_room.consultation", (frame) => {
    if (!mine(frame)) return;
    if (frame.status === "cancelled" || frame.status === "ended") page.over(frame.status);
    else page.refresh().catch(() => {});
  });
  // The first "connected" is the channel's first connection, unless it was already open.
  let first = channel.state !== "connected";
  channel.addEventListener("connected", () => {
    if (first) {
      first = false;
      return;
    }
    // Back after a network change or API Gateway's limits: read what was missed.
    callApi("GET", "/api/participant/waiting-room")
      .then((room) => {
        page.room = room;
        if (room.step === "waiting" || room.step === "call") shown?.update();
        else page.refresh().catch(() => {});
      })
      .catch(() => {});
  });
}

export async function render(page) {
  const { texts } = page;
  const presence = page.room.me.presence;
  if (presence !== "waiting" && presence !== "in_call") {
    try {
      const answer = await callApi("POST", "/api/participant/waiting", { body: {} });
      page.room.me = answer.me;
    } catch (error) {
      if (error instanceof ApiError && [403, 409, 410].includes(error.status)) {
        await page.refresh(); // not open yet, terms changed, or over: the server's step
        return {};
      }
      // Not in the waiting room: say so, and offer to try again (never pretend).
      page.say("page.join.check_connection", { error: true });
      const retry = el("button", { type: "button", class: "primary", onclick: () => page.open("waiting") });
      texts.say(retry, "page.retry");
      page.view.append(retry);
      return {};
    }
  }
  subscribe(page);
  page.setStep("waiting", "page.waiting.step");
  page.setTitle("page.waiting.title");

  const who = el("p", { class: "lead" });
  const estimate = el("p", { class: "estimate", role: "status" });
  const delay = el("div", { class: "delay", role: "status" });
  const calling = el("div", { class: "calling" });
  const notify = el("button", { type: "button", class: "secondary", "aria-pressed": "false" });
  const notifyNote = el("p", { class: "hint", role: "status" });
  const recheck = el("button", { type: "button", class: "link" });
  texts.say(recheck, "page.waiting.recheck");
  recheck.addEventListener("click", () => page.open("check", { next: () => page.open("waiting") }));
  const receipt = el("a", { href: "/j/receipt.html", target: "_blank", rel: "noopener" });
  texts.say(receipt, "page.terms.receipt");

  const names = () => page.room.clinicians.map((c) => c.display_name).join(", ");

  function update() {
    const room = page.room;
    texts.say(who, names() ? "page.waiting.for" : "page.waiting.for_clinic", { vars: { name: names() } });
    const range = room.estimate;
    if (!range) texts.say(estimate, "page.waiting.estimate_unknown");
    else if (range.high_minutes <= 1) texts.say(estimate, "page.waiting.estimate_soon");
    else if (range.low_minutes <= 0) {
      texts.say(estimate, "page.waiting.estimate_under", { vars: { minutes: range.high_minutes } });
    } else if (range.low_minutes === range.high_minutes) {
      texts.say(estimate, "page.waiting.estimate_about", { vars: { minutes: range.high_minutes } });
    } else {
      texts.say(estimate, "page.waiting.estimate_range", {
        vars: { low: range.low_minutes, high: range.high_minutes },
      });
    }
    delay.replaceChildren();
    if (room.delay) {
      const line = el("p", {});
      texts.say(line, "page.waiting.delay", { vars: { minutes: room.delay.minutes } });
      delay.append(line);
      if (room.delay.text) delay.append(el("p", { class: "quote" }, room.delay.text));
    }
    const on = Boolean(room.me.notify_when_called);
    notify.setAttribute("aria-pressed", String(on));
    texts.say(notify, on ? "page.waiting.notify_off" : "page.waiting.notify_on");
    if (on) texts.say(notifyNote, "page.waiting.notify_set");
    else notifyNote.textContent = "";
    // Rung before this page opened (a texted link): ring now; a tap on the way in allows sound.
    if (room.step === "call" && calling.hidden) called({ mode: room.consultation.call_mode }, { ring: true });
  }

  let stopRinging = () => {};

  /** The clinician calls: ring, and offer to answer (with camera, sound only) or not now. */
  function called(frame = {}, { ring = false } = {}) {
    if (page.room.me.presence === "in_call") {
      page.open("call", { answer: page.room.me.join_with === "audio" ? "audio" : "video" });
      return;
    }
    page.setTitle("page.waiting.called_title");
    for (const element of [who, estimate, delay, notify, notifyNote]) element.hidden = true;
    calling.replaceChildren();
    const line = el("p", { class: "calling-text", role: "alert" });
    texts.say(line, "page.waiting.called", { vars: { name: frame.caller || names() } });
    const note = el("p", { class: "hint", role: "status" });
    const answerWith = (answer, key, className) => {
      const button = el("button", { type: "button", class: className });
      texts.say(button, key);
      button.addEventListener("click", () => answerCall(answer, note));
      return button;
    };
    const audioCall = frame.mode === "audio";
    calling.append(
      line,
      audioCall ? null : answerWith("video", "page.waiting.answer_video", "primary"),
      answerWith("audio", audioCall ? "page.waiting.answer" : "page.waiting.answer_audio", audioCall ? "primary" : "secondary"),
      answerWith("decline", "page.waiting.not_now", "link"),
      note,
    );
    calling.hidden = false;
    stopRinging();
    if (ring) import("/shared/call/ringer.js").then(({ startRinging }) => (stopRinging = startRinging()));
    else navigator.vibrate?.([300, 200, 300]);
  }

  async function answerCall(answer, note) {
    stopRinging();
    for (const button of calling.querySelectorAll("button")) button.disabled = true;
    try {
      await liveChannel().request("call.answer", { call_number: page.room.consultation.call_number, answer });
      if (answer === "decline") {
        calling.hidden = true;
        for (const element of [who, estimate, delay, notify, notifyNote]) element.hidden = false;
        page.setTitle("page.waiting.title");
        texts.say(notifyNote, "page.waiting.declined");
        return;
      }
      page.open("call", { answer });
    } catch (error) {
      for (const button of calling.querySelectorAll("button")) button.disabled = false;
      texts.say(note, error?.code === "call_over" ? "page.waiting.call_over" : "page.join.check_connection", { error: true });
    }
  }

  notify.addEventListener("click", async () => {
    const enabled = notify.getAttribute("aria-pressed") !== "true";
    notify.disabled = true;
    try {
      const answer = await callApi("PUT", "/api/participant/notify-when-called", { body: { enabled } });
      page.room.me = answer.me;
      update();
    } catch (error) {
      if (error instanceof ApiError && error.code === "no_phone") texts.say(notifyNote, "page.waiting.no_phone", { error: true });
      else texts.say(notifyNote, "page.join.check_connection", { error: true });
    } finally {
      notify.disabled = false;
    }
  });

  calling.hidden = true;
  const chat = new ChatPanel({
    channel: liveChannel(),
    consultationId: page.room.consultation.consultation_id,
    me: { kind: "participant", id: page.room.me.participant_id },
    files: filesApi("/api/participant", (method, path, body) => callApi(method, path, { body })),
    words: chatWords(texts),
    language: () => texts.language,
    initial: page.room.chat,
  });
  page.view.append(calling, who, estimate, delay, notify, notifyNote, chat.element, recheck, el("p", {}, receipt));
  update();
  shown = { update, called };
  return {
    cleanup() {
      shown = null;
      stopRinging();
      chat.dispose();
    },
    relabel() {
      chat.relabel();
    },
  };
}
