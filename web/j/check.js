// Step 2: the device check. Camera preview, live microphone level, a test sound on the chosen
// speaker, and a connection test through the real media path (the media worker's echo, see
// /j/connection-test.js). Each of the four shows green, orange or red with a word, an icon
// and a plain hint; a blocked camera says how to allow it in this browser on this system.
// A poor result never blocks: the patient joins with camera and microphone or microphone
// only, and the result goes to the clinician (`POST /api/participant/device-check`).
import { callApi } from "/shared/api.js";
import { el } from "/shared/dom.js";
import { testConnection } from "/j/connection-test.js";
import { blockedHintKey, lightRow } from "/j/lights.js";

const LEVEL_HEARD = 0.02; // RMS above which the microphone counts as hearing something

export async function render(page, { next }) {
  const { texts } = page;
  page.setStep("device_check", "page.check.step");
  page.setTitle("page.check.title");
  const result = { camera: "red", microphone: "red", speaker: "untested", connection: "red" };
  const metrics = { rtt_ms: null, jitter_ms: null, loss_percent: null, bitrate_kbps: null };

  const video = el("video", { class: "preview", autoplay: true, muted: true, playsinline: true });
  video.muted = true;
  const rows = {
    camera: lightRow(texts, "camera"),
    microphone: lightRow(texts, "microphone"),
    speaker: lightRow(texts, "speaker"),
    connection: lightRow(texts, "connection"),
  };
  const meter = el("meter", { min: "0", max: "1", value: "0", class: "level", id: "mic-level" });
  const meterLabel = el("label", { for: "mic-level", class: "visually-hidden" });
  texts.say(meterLabel, "page.check.level");
  rows.microphone.extra.append(meterLabel, meter);

  const selects = el("div", { class: "devices" });
  const play = el("button", { type: "button", class: "secondary" });
  texts.say(play, "page.check.play");
  const heard = el("button", { type: "button", class: "secondary", hidden: true });
  texts.say(heard, "page.check.heard");
  const notHeard = el("button", { type: "button", class: "secondary", hidden: true });
  texts.say(notHeard, "page.check.not_heard");
  rows.speaker.extra.append(play, heard, notHeard);
  const again = el("button", { type: "button", class: "link" });
  texts.say(again, "page.check.again");
  rows.connection.extra.append(again);

  const withVideo = el("button", { type: "button", class: "primary" });
  texts.say(withVideo, "page.check.join_video");
  const audioOnly = el("button", { type: "button", class: "link" });
  texts.say(audioOnly, "page.check.join_audio");
  const note = el("p", { class: "hint" });
  texts.say(note, "page.check.never_blocks");

  const previewBox = el("div", { class: "preview-box" }, video);
  page.view.append(
    previewBox,
    el("ul", { class: "lights" }, Object.values(rows).map((row) => row.item)),
    selects,
    note,
    withVideo,
    audioOnly,
  );

  let stream = null;
  let audio = null; // { context, stop }
  let stopped = false;
  let sinkId = "";

  async function startMedia(ids = {}) {
    stopMedia();
    const wanted = {
      video: ids.camera ? { deviceId: { exact: ids.camera } } : true,
      audio: ids.microphone ? { deviceId: { exact: ids.microphone } } : true,
    };
    const tracks = [];
    for (const kind of ["video", "audio"]) {
      const name = kind === "video" ? "camera" : "microphone";
      try {
        const got = await navigator.mediaDevices.getUserMedia({ [kind]: wanted[kind] });
        tracks.push(...got.getTracks());
        rows[name].set(kind === "video" ? "green" : "orange", kind === "video" ? "page.check.camera_ok" : "page.check.mic_silent");
      } catch (error) {
        rows[name].set("red", errorHint(error));
      }
    }
    if (stopped) {
      tracks.forEach((track) => track.stop());
      return;
    }
    stream = new MediaStream(tracks);
    const camera = stream.getVideoTracks().length > 0;
    video.srcObject = camera ? stream : null;
    previewBox.hidden = !camera;
    // Without a camera, "microphone only" becomes the one primary action.
    withVideo.className = camera ? "primary" : "link";
    audioOnly.className = camera ? "link" : "primary";
    if (!camera) audioOnly.after(withVideo);
    else withVideo.after(audioOnly);
    result.camera = rows.camera.light;
    result.microphone = rows.microphone.light;
    meter.hidden = !stream.getAudioTracks().length;
    if (stream.getAudioTracks().length) listen(stream);
    else result.microphone = "red";
    await listDevices();
  }

  function stopMedia() {
    audio?.stop();
    audio = null;
    stream?.getTracks().forEach((track) => track.stop());
    stream = null;
  }

  function listen(source) {
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 512;
    context.createMediaStreamSource(source).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    let frame = 0;
    const tick = () => {
      analyser.getFloatTimeDomainData(samples);
      const rms = Math.sqrt(samples.reduce((sum, value) => sum + value * value, 0) / samples.length);
      meter.value = Math.min(1, rms * 5);
      if (rms > LEVEL_HEARD && rows.microphone.light !== "green") {
        rows.microphone.set("green", "page.check.mic_ok");
        result.microphone = "green";
      }
      frame = requestAnimationFrame(tick);
    };
    tick();
    audio = { context, stop: () => (cancelAnimationFrame(frame), context.close()) };
  }

  async function listDevices() {
    const devices = await navigator.mediaDevices.enumerateDevices();
    const current = {
      camera: stream?.getVideoTracks()[0]?.getSettings().deviceId,
      microphone: stream?.getAudioTracks()[0]?.getSettings().deviceId,
    };
    const choices = [
      ["camera", "videoinput"],
      ["microphone", "audioinput"],
    ];
    if ("setSinkId" in HTMLMediaElement.prototype) choices.push(["speaker", "audiooutput"]);
    selects.replaceChildren(
      ...choices.flatMap(([name, kind]) => {
        const options = devices.filter((device) => device.kind === kind && device.deviceId);
        if (options.length < 2) return [];
        const id = `choose-${name}`;
        const label = el("label", { for: id });
        texts.say(label, `page.check.choose_${name}`);
        const select = el(
          "select",
          { id },
          options.map((device, index) =>
            el("option", { value: device.deviceId, selected: device.deviceId === current[name] },
              device.label || `${index + 1}`),
          ),
        );
        select.addEventListener("change", () => {
          if (name === "speaker") sinkId = select.value;
          else startMedia({ camera: name === "camera" ? select.value : current.camera, microphone: name === "microphone" ? select.value : current.microphone });
        });
        return el("p", {}, label, select);
      }),
    );
  }

  play.addEventListener("click", async () => {
    await playTestSound(sinkId);
    heard.hidden = false;
    notHeard.hidden = false;
  });
  heard.addEventListener("click", () => {
    rows.speaker.set("green", "page.check.speaker_ok");
    result.speaker = "green";
  });
  notHeard.addEventListener("click", () => {
    rows.speaker.set("orange", "page.check.speaker_silent");
    result.speaker = "orange";
  });

  async function runConnectionTest() {
    rows.connection.set("pending", "page.check.testing");
    again.hidden = true;
    const outcome = await testConnection(stream);
    if (stopped) return;
    const { worker_quality: workerQuality, ...figures } = outcome.metrics;
    Object.assign(metrics, figures);
    // The figures behind the light, for whoever inspects the page (and the tests).
    rows.connection.item.dataset.figures = JSON.stringify({ ...figures, worker: workerQuality });
    result.connection = outcome.light;
    rows.connection.set(outcome.light, `page.check.connection_${outcome.light}`);
    again.hidden = false;
  }
  again.addEventListener("click", () => runConnectionTest());

  async function choose(joinWith) {
    withVideo.disabled = audioOnly.disabled = true;
    try {
      await callApi("POST", "/api/participant/device-check", {
        body: { ...result, ...metrics, join_with: joinWith },
      });
    } catch {
      page.say("page.join.check_connection", { error: true });
      withVideo.disabled = audioOnly.disabled = false;
      return;
    }
    stopped = true;
    stopMedia();
    await next();
  }
  withVideo.addEventListener("click", () => choose("video"));
  audioOnly.addEventListener("click", () => choose("audio"));

  rows.speaker.set("untested", "page.check.speaker_untested");
  rows.connection.set("pending", "page.check.testing");
  await startMedia();
  runConnectionTest();

  return {
    cleanup() {
      stopped = true;
      stopMedia();
    },
  };
}

/** The hint's key for a failed getUserMedia: blocked, held by another app, or missing. */
function errorHint(error) {
  if (error.name === "NotAllowedError" || error.name === "SecurityError") return blockedHintKey(navigator.userAgent);
  if (error.name === "NotReadableError" || error.name === "TrackStartError") return "page.check.busy";
  if (error.name === "NotFoundError" || error.name === "OverconstrainedError") return "page.check.missing";
  return "page.check.failed";
}

/** A one-second chime made with WebAudio (nothing to download), on the chosen speaker. */
async function playTestSound(sinkId) {
  const context = new AudioContext();
  const gain = context.createGain();
  const now = context.currentTime;
  gain.gain.setValueAtTime(0.0001, now);
  gain.gain.exponentialRampToValueAtTime(0.4, now + 0.05);
  gain.gain.exponentialRampToValueAtTime(0.0001, now + 1.2);
  for (const [frequency, start] of [[660, 0], [880, 0.35]]) {
    const tone = context.createOscillator();
    tone.frequency.value = frequency;
    tone.connect(gain);
    tone.start(now + start);
    tone.stop(now + 1.2);
  }
  if (sinkId && typeof context.setSinkId === "function") {
    await context.setSinkId(sinkId).catch(() => {});
  }
  gain.connect(context.destination);
  setTimeout(() => context.close(), 1500);
}
