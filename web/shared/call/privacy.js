// The patient's privacy pause: when the page is hidden (another app, the home screen, a
// locked phone) or the device takes the camera or microphone away (a phone call on a
// mobile), the camera and microphone stop being sent and the others see "paused". Back on
// the page, video comes back first; sound only once the device gives the microphone back
// (its track is no longer muted by the system).

/**
 * Watches `stream`'s tracks and the page's visibility. `onChange({paused, audio, video})`
 * says what may be sent now (the caller also applies its own mute buttons). Returns a
 * function that stops watching.
 */
export function watchPrivacy(stream, onChange) {
  const state = () => {
    const hidden = document.visibilityState === "hidden";
    const audioTrack = stream.getAudioTracks()[0];
    const videoTrack = stream.getVideoTracks()[0];
    const audioTaken = Boolean(audioTrack && (audioTrack.muted || audioTrack.readyState === "ended"));
    const videoTaken = Boolean(videoTrack && (videoTrack.muted || videoTrack.readyState === "ended"));
    return {
      paused: hidden || audioTaken,
      video: !hidden && !videoTaken,
      audio: !hidden && !audioTaken,
    };
  };
  let last = "";
  const check = () => {
    const now = state();
    const key = JSON.stringify(now);
    if (key === last) return;
    last = key;
    onChange(now);
  };
  const tracks = stream.getTracks();
  document.addEventListener("visibilitychange", check);
  for (const track of tracks) {
    track.addEventListener("mute", check);
    track.addEventListener("unmute", check);
    track.addEventListener("ended", check);
  }
  check();
  return () => {
    document.removeEventListener("visibilitychange", check);
    for (const track of tracks) {
      track.removeEventListener("mute", check);
      track.removeEventListener("unmute", check);
      track.removeEventListener("ended", check);
    }
  };
}
