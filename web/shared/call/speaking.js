// Who is speaking: the level of each remote audio track, from a WebAudio analyser, checked
// five times a second. A tile without video shows the person's name and this indicator.

const EVERY_MS = 200;
const SPEAKING_RMS = 0.02;

export class SpeakingMeter {
  constructor(onChange) {
    this.onChange = onChange; // (key, speaking) when it changes
    this.context = null;
    this.meters = new Map(); // key -> {analyser, source, speaking}
    this.timer = null;
  }

  /** Measures `track` (an audio MediaStreamTrack) under `key`; replaces an earlier one. */
  watch(key, track) {
    this.forget(key);
    if (!track) return;
    try {
      this.context = this.context || new AudioContext();
    } catch {
      return; // no WebAudio: no indicator
    }
    const source = this.context.createMediaStreamSource(new MediaStream([track]));
    const analyser = this.context.createAnalyser();
    analyser.fftSize = 512;
    source.connect(analyser);
    this.meters.set(key, { analyser, source, speaking: false, samples: new Float32Array(analyser.fftSize) });
    if (!this.timer) this.timer = setInterval(() => this.measure(), EVERY_MS);
  }

  forget(key) {
    const meter = this.meters.get(key);
    if (!meter) return;
    meter.source.disconnect();
    this.meters.delete(key);
  }

  measure() {
    for (const [key, meter] of this.meters) {
      meter.analyser.getFloatTimeDomainData(meter.samples);
      let sum = 0;
      for (const sample of meter.samples) sum += sample * sample;
      const speaking = Math.sqrt(sum / meter.samples.length) > SPEAKING_RMS;
      if (speaking !== meter.speaking) {
        meter.speaking = speaking;
        this.onChange(key, speaking);
      }
    }
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
    for (const key of [...this.meters.keys()]) this.forget(key);
    this.context?.close().catch(() => {});
  }
}
