// The call on screen, for the patient's page and the clinician's: the others' video (or
// their name and a speaking indicator when they send none), one's own preview, and the
// controls: microphone, camera, background blur (`blur.js`), switch camera, sound only,
// speaker, full screen, leave.
// Media goes through `CallSession` (the media worker, no transcoding); what each member
// sends is announced with `call.media` so that everyone sees "microphone off" or "paused".
// Each remote tile shows its connection's quality (`quality.js`); when one's own stays poor
// the view offers sound only. The patient's view pauses for privacy (`privacy.js`).
//
// Layout: a 360 px phone held upright shows the others stacked, one's own preview small in
// a corner, and the controls in one row of large buttons at the bottom; a desktop shows
// the others side by side.
import { el } from "/shared/dom.js";
import { CallSession, SLOTS } from "/shared/media/call-session.js";
import { QualityMeter } from "/shared/call/quality.js";
import { SpeakingMeter } from "/shared/call/speaking.js";
import { watchPrivacy } from "/shared/call/privacy.js";
import { mediaMemberId } from "/shared/call/media-ids.js";
import { blurredTrack } from "/shared/call/blur.js";

const QUALITY_EVERY_MS = 3000;
const POOR_READINGS_BEFORE_OFFER = 3; // about ten seconds of a poor connection
const STYLES = "/shared/call/call.css";

export class CallView {
  /**
   * @param {object} options
   * @param {import("/shared/realtime.js").RealtimeChannel} options.channel
   * @param {(key: string, vars?: object) => string} options.words `callWords(...)`
   * @param {"video"|"audio"} options.mode how this member joins
   * @param {import("/shared/call/members.js").CallMembers} options.members names and states
   * @param {object} [options.scope] what every request carries (a clinician's consultation)
   * @param {boolean} [options.privacyPause] pause when the page is hidden (the patient)
   * @param {() => void} [options.onLeave] after "Leave the call"
   */
  constructor(options) {
    this.options = { scope: {}, privacyPause: false, onLeave: () => {}, ...options };
    this.state = { audio: true, video: options.mode === "video", paused: false, soundOnly: options.mode === "audio" };
    this.privacy = { audio: true, video: true, paused: false };
    this.others = new Map(); // media member id -> {audio, video, paused}
    this.slots = []; // per slot: {tile, video, caption, memberId}
    this.session = null;
    this.stream = null;
    this.meter = new QualityMeter();
    this.poorReadings = 0;
    this.speaking = new SpeakingMeter((slot, speaking) => this.slots[slot]?.tile.classList.toggle("speaking", speaking));
    this.onMediaFrame = (frame) => this.othersMedia(frame);
    this.lastOthers = [];
    options.members.onChange = () => this.roster(this.lastOthers);
    this.element = this.build();
    this.drawControls();
    loadStyles();
  }

  // -- building ------------------------------------------------------------------------------

  build() {
    const { words } = this.options;
    for (let slot = 0; slot < SLOTS; slot += 1) {
      const video = el("video", { autoplay: true, playsinline: true });
      const name = el("span", { class: "tile-name" });
      const state = el("span", { class: "tile-state" });
      const quality = el("span", { class: "tile-quality" });
      const tile = el("figure", { class: "tile", hidden: true }, video, el("figcaption", {}, name, state, quality));
      this.slots.push({ tile, video, name, state, quality, memberId: null });
    }
    this.selfVideo = el("video", { class: "self-video", autoplay: true, playsinline: true });
    this.selfVideo.muted = true;
    this.selfState = el("span", { class: "tile-state" });
    this.selfTile = el(
      "figure",
      { class: "tile self" },
      this.selfVideo,
      el("figcaption", {}, el("span", { class: "tile-name" }, words("page.call.you")), this.selfState),
    );
    this.status = el("p", { class: "call-status", role: "status" }, words("page.call.connecting"));
    this.offer = el("p", { class: "call-offer", hidden: true });
    this.micButton = this.toggle("page.call.microphone", () => this.setAudio(!this.state.audio));
    this.cameraButton = this.toggle("page.call.camera", () => this.setVideo(!this.state.video));
    this.blurButton = this.toggle("page.call.blur", () => this.setBlur(!this.blur));
    this.blur = null; // {track, stop} while the background is blurred
    this.switchButton = this.button("page.call.switch_camera", () => this.switchCamera(), { hidden: true });
    this.soundOnlyButton = this.button("page.call.sound_only", () => this.setSoundOnly(!this.state.soundOnly));
    this.speakerSelect = el("select", { class: "speaker" });
    this.speakerSelect.addEventListener("change", () => this.useSpeaker(this.speakerSelect.value));
    this.speakerLabel = el("label", { class: "speaker-choice", hidden: true }, words("page.call.speaker"), this.speakerSelect);
    this.fullButton = this.button("page.call.full_screen", () => this.fullScreen(), {
      hidden: !document.fullscreenEnabled,
    });
    this.leaveButton = this.button("page.call.leave", () => this.leave(), { class: "leave" });
    const controls = el(
      "div",
      { class: "call-controls", role: "group", "aria-label": words("page.call.controls") },
      this.micButton,
      this.cameraButton,
      this.blurButton,
      this.switchButton,
      this.soundOnlyButton,
      this.fullButton,
      this.leaveButton,
    );
    this.stage = el("div", { class: "call-stage" }, this.slots.map((slot) => slot.tile), this.selfTile);
    document.addEventListener("fullscreenchange", () => this.drawControls());
    return el(
      "section",
      { class: "call", "aria-label": words("page.call.region") },
      this.stage,
      this.status,
      this.offer,
      controls,
      this.speakerLabel,
    );
  }

  button(key, onClick, { hidden = false, class: className = "" } = {}) {
    return el("button", { type: "button", class: `call-button ${className}`, hidden, onclick: onClick }, this.options.words(key));
  }

  toggle(key, onClick) {
    const button = this.button(key, onClick);
    button.setAttribute("aria-pressed", "true");
    return button;
  }

  // -- starting and leaving --------------------------------------------------------------------

  /** Starts the camera and microphone, then joins; resolves once joined (or throws). */
  async start() {
    const { channel, scope, words } = this.options;
    this.stream = await openDevices(this.state.video);
    if (!this.stream.getVideoTracks().length) this.state.video = false;
    this.selfVideo.srcObject = this.stream;
    this.session = new CallSession({
      channel,
      localStream: this.stream,
      scope,
      onSlotStream: (slot, stream) => this.attach(slot, stream),
      onRoster: (others) => this.roster(others),
      onState: (state) => this.connectionState(state),
    });
    channel.on("call.media", this.onMediaFrame);
    await this.options.members.load().catch(() => {}); // names follow when it answers
    await this.session.start();
    this.say(words("page.call.waiting_for_others"));
    if (this.options.privacyPause) {
      this.stopWatching = watchPrivacy(this.stream, (privacy) => {
        this.privacy = privacy;
        this.apply();
      });
    }
    this.apply();
    this.qualityTimer = setInterval(() => this.measure(), QUALITY_EVERY_MS);
    this.offerDevices();
    return this;
  }

  async leave() {
    this.leaveButton.disabled = true;
    try {
      await this.options.channel.request("call.leave", this.options.scope);
    } catch {
      // gone from the call anyway: the media connection closes below
    }
    await this.session?.leave().catch(() => {});
    this.stop();
    this.options.onLeave();
  }

  /** Stops everything without telling anyone (the consultation ended, the page moves on). */
  stop() {
    clearInterval(this.qualityTimer);
    this.stopWatching?.();
    this.speaking.stop();
    this.blur?.stop();
    this.blur = null;
    this.options.channel.off("call.media", this.onMediaFrame);
    this.session?.close();
    for (const track of this.stream?.getTracks() || []) track.stop();
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
  }

  // -- what is sent ---------------------------------------------------------------------------

  setAudio(on) {
    this.state.audio = on;
    this.apply();
  }

  async setVideo(on) {
    if (on && !this.stream.getVideoTracks().some((track) => track.readyState === "live")) {
      try {
        const fresh = await navigator.mediaDevices.getUserMedia({ video: videoConstraints() });
        for (const old of this.stream.getVideoTracks()) this.stream.removeTrack(old);
        this.stream.addTrack(fresh.getVideoTracks()[0]);
        await this.session.replaceTrack("video", fresh.getVideoTracks()[0]);
        this.selfVideo.srcObject = this.stream;
      } catch {
        this.say(this.options.words("page.call.no_devices"));
        return;
      }
    }
    if (!on) {
      this.stopBlur();
      // Off means off: the camera stops (its light too), nothing is sent.
      for (const track of this.stream.getVideoTracks()) track.stop();
      await this.session.replaceTrack("video", null);
    }
    this.state.video = on;
    if (on) this.state.soundOnly = false;
    this.apply();
  }

  async setSoundOnly(on) {
    this.state.soundOnly = on;
    this.offer.hidden = true;
    await this.setVideo(!on);
  }

  /** Applies the buttons and the privacy pause to the tracks, and tells the others. */
  apply() {
    const audio = this.state.audio && this.privacy.audio;
    const video = this.state.video && this.privacy.video;
    for (const track of this.stream?.getAudioTracks() || []) track.enabled = audio;
    for (const track of this.stream?.getVideoTracks() || []) track.enabled = video;
    if (this.blur) this.blur.track.enabled = video;
    const announced = { audio, video, paused: this.privacy.paused };
    const key = JSON.stringify(announced);
    if (key !== this.announced) {
      this.announced = key;
      this.options.channel.request("call.media", { ...this.options.scope, ...announced }).catch(() => {});
    }
    this.drawControls();
  }

  /** Blurs the background (or stops blurring): the call sends the blurred canvas instead. */
  async setBlur(on) {
    const camera = this.stream.getVideoTracks().find((track) => track.readyState === "live");
    if (!on || !camera) {
      await this.stopBlur();
      this.drawControls();
      return;
    }
    this.blurButton.disabled = true;
    try {
      const blur = await blurredTrack(camera);
      this.blur = blur;
      await this.session.replaceTrack("video", blur.track);
      this.selfVideo.srcObject = new MediaStream([blur.track, ...this.stream.getAudioTracks()]);
    } catch {
      this.say(this.options.words("page.call.blur_failed"));
    } finally {
      this.blurButton.disabled = false;
      this.apply();
    }
  }

  async stopBlur() {
    if (!this.blur) return;
    const blur = this.blur;
    this.blur = null;
    const camera = this.stream.getVideoTracks().find((track) => track.readyState === "live") || null;
    await this.session?.replaceTrack("video", camera);
    this.selfVideo.srcObject = this.stream;
    blur.stop();
  }

  async switchCamera() {
    const blurred = Boolean(this.blur);
    await this.stopBlur();
    const cameras = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === "videoinput");
    const current = this.stream.getVideoTracks()[0]?.getSettings().deviceId;
    const next = cameras[(cameras.findIndex((camera) => camera.deviceId === current) + 1) % cameras.length];
    if (!next) return;
    try {
      const fresh = await navigator.mediaDevices.getUserMedia({ video: { ...videoConstraints(), deviceId: { exact: next.deviceId } } });
      for (const old of this.stream.getVideoTracks()) {
        old.stop();
        this.stream.removeTrack(old);
      }
      this.stream.addTrack(fresh.getVideoTracks()[0]);
      await this.session.replaceTrack("video", fresh.getVideoTracks()[0]);
      this.selfVideo.srcObject = this.stream;
      this.apply();
      if (blurred) await this.setBlur(true);
    } catch {
      this.say(this.options.words("page.call.no_devices"));
    }
  }

  async offerDevices() {
    try {
      const devices = await navigator.mediaDevices.enumerateDevices();
      this.switchButton.hidden = devices.filter((d) => d.kind === "videoinput").length < 2;
      const speakers = devices.filter((d) => d.kind === "audiooutput" && d.deviceId);
      if (!("setSinkId" in HTMLMediaElement.prototype) || speakers.length < 2) return;
      this.speakerSelect.replaceChildren(
        ...speakers.map((speaker, index) => el("option", { value: speaker.deviceId }, speaker.label || `${index + 1}`)),
      );
      this.speakerLabel.hidden = false;
    } catch {
      // no device list: the defaults stay
    }
  }

  useSpeaker(deviceId) {
    for (const slot of this.slots) slot.video.setSinkId?.(deviceId).catch(() => {});
  }

  fullScreen() {
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    else this.element.requestFullscreen().catch(() => {});
  }

  // -- what is received -----------------------------------------------------------------------

  attach(slot, stream) {
    this.slots[slot].video.srcObject = stream;
    this.speaking.watch(slot, stream.getAudioTracks()[0]);
  }

  roster(others) {
    const { words, members } = this.options;
    this.lastOthers = others;
    for (const [slot, view] of this.slots.entries()) {
      const member = others.find((other) => other.slot === slot);
      view.memberId = member ? member.participant_id : null;
      view.tile.hidden = !member;
      view.name.textContent = member ? members.nameOf(member.participant_id) : "";
    }
    this.say(others.length ? "" : words("page.call.waiting_for_others"));
    this.drawOthers();
  }

  othersMedia(frame) {
    const scope = this.options.scope.consultation_id;
    if (scope && frame.consultation_id !== scope) return;
    this.others.set(mediaMemberId(frame.member), { audio: frame.audio, video: frame.video, paused: frame.paused });
    this.drawOthers();
  }

  async measure() {
    if (!this.session?.connection) return;
    try {
      const { own, slots } = await this.meter.measure(this.session.connection, this.session.slotTransceivers);
      const { words } = this.options;
      for (const [index, quality] of slots.entries()) {
        const view = this.slots[index];
        view.quality.textContent = quality ? words(`page.call.quality.${quality}`) : "";
        view.quality.dataset.quality = quality || "";
      }
      this.poorReadings = own === "poor" ? this.poorReadings + 1 : 0;
      if (this.poorReadings >= POOR_READINGS_BEFORE_OFFER && this.state.video && this.offer.hidden) this.offerSoundOnly();
    } catch {
      // statistics unavailable for a moment (a reconnection): the next reading tries again
    }
  }

  offerSoundOnly() {
    const { words } = this.options;
    this.offer.replaceChildren(
      words("page.call.offer_sound_only"),
      " ",
      el("button", { type: "button", class: "call-button", onclick: () => this.setSoundOnly(true) }, words("page.call.use_sound_only")),
    );
    this.offer.hidden = false;
  }

  connectionState(state) {
    const { words } = this.options;
    if (state === "disconnected" || state === "failed") this.say(words("page.call.reconnecting"));
    else if (state === "connected") this.say(this.slots.some((slot) => slot.memberId) ? "" : words("page.call.waiting_for_others"));
  }

  // -- drawing -------------------------------------------------------------------------------

  drawOthers() {
    const { words } = this.options;
    for (const view of this.slots) {
      const media = view.memberId
        ? this.others.get(view.memberId) || this.options.members.mediaOf(view.memberId)
        : null;
      const noVideo = Boolean(media && (!media.video || media.paused)) || this.state.soundOnly;
      view.tile.classList.toggle("no-video", noVideo);
      view.video.classList.toggle("hidden-video", noVideo);
      view.state.textContent = media ? stateWords(media, words) : "";
    }
  }

  drawControls() {
    const { words } = this.options;
    const audio = this.state.audio;
    const video = this.state.video;
    this.micButton.setAttribute("aria-pressed", String(audio));
    this.micButton.textContent = `${words("page.call.microphone")}: ${words(audio ? "page.call.on" : "page.call.off")}`;
    this.cameraButton.setAttribute("aria-pressed", String(video));
    this.cameraButton.textContent = `${words("page.call.camera")}: ${words(video ? "page.call.on" : "page.call.off")}`;
    this.blurButton.hidden = !video;
    this.blurButton.setAttribute("aria-pressed", String(Boolean(this.blur)));
    this.blurButton.textContent = `${words("page.call.blur")}: ${words(this.blur ? "page.call.on" : "page.call.off")}`;
    this.soundOnlyButton.textContent = words(this.state.soundOnly ? "page.call.back_to_video" : "page.call.sound_only");
    this.fullButton.textContent = words(document.fullscreenElement ? "page.call.exit_full_screen" : "page.call.full_screen");
    this.selfTile.classList.toggle("no-video", !(video && this.privacy.video));
    this.selfState.textContent = stateWords(
      { audio: audio && this.privacy.audio, video: video && this.privacy.video, paused: this.privacy.paused },
      words,
    );
    this.drawOthers();
  }

  say(text) {
    this.status.textContent = text;
  }
}

function stateWords(media, words) {
  if (media.paused) return words("page.call.paused");
  const parts = [];
  if (!media.audio) parts.push(words("page.call.mic_off"));
  if (!media.video) parts.push(words("page.call.camera_off"));
  return parts.join(" · ");
}

function videoConstraints() {
  return { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24, max: 30 } };
}

/** The microphone, and the camera when `video`; a missing camera leaves sound only. */
async function openDevices(video) {
  const audio = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
  if (video) {
    try {
      return await navigator.mediaDevices.getUserMedia({ audio, video: videoConstraints() });
    } catch {
      // no camera, or it is busy: the call goes on with sound
    }
  }
  return navigator.mediaDevices.getUserMedia({ audio });
}

function loadStyles() {
  if (document.querySelector(`link[href="${STYLES}"]`)) return;
  document.head.append(el("link", { rel: "stylesheet", href: STYLES }));
}
