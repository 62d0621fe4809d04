// An incoming call's ring: a two-tone chime every three seconds, generated with WebAudio (no
// file to download), and a vibration with it on phones. Browsers let a page make sound only
// after a tap on it; a patient has tapped through the way in, so the ring is heard. Without
// that (a reload straight into a call) it is silent and the screen alone says it.

const EVERY_MS = 3000;
const TONES = [
  [784, 0, 0.35], // G5, then E5: [frequency, start, length in seconds]
  [659, 0.4, 0.5],
];

/** Starts ringing; returns the function that stops it. */
export function startRinging() {
  let context = null;
  try {
    context = new AudioContext();
  } catch {
    context = null; // no WebAudio: vibration and the screen only
  }
  const ring = () => {
    navigator.vibrate?.([400, 200, 400]);
    if (!context || context.state === "closed") return;
    context.resume?.().catch(() => {});
    const now = context.currentTime;
    for (const [frequency, start, length] of TONES) {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, now + start);
      gain.gain.exponentialRampToValueAtTime(0.3, now + start + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + start + length);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(now + start);
      oscillator.stop(now + start + length + 0.05);
    }
  };
  ring();
  const timer = setInterval(ring, EVERY_MS);
  return () => {
    clearInterval(timer);
    navigator.vibrate?.(0);
    context?.close().catch(() => {});
  };
}
