// The call's texts: catalogue keys (`page.call.*` in chalicelib/i18n/locales/*.json) and
// their English, for `/shared/words.js`.
import { wordsOf } from "/shared/words.js";

export const ENGLISH = {
  "page.call.region": "Video call",
  "page.call.you": "You",
  "page.call.connecting": "Connecting…",
  "page.call.waiting_for_others": "Waiting for the others to join…",
  "page.call.reconnecting": "The connection was interrupted. Reconnecting…",
  "page.call.controls": "Call controls",
  "page.call.microphone": "Microphone",
  "page.call.camera": "Camera",
  "page.call.on": "on",
  "page.call.off": "off",
  "page.call.mic_off": "Microphone off",
  "page.call.camera_off": "Camera off",
  "page.call.paused": "Paused",
  "page.call.switch_camera": "Switch camera",
  "page.call.sound_only": "Sound only",
  "page.call.back_to_video": "Turn video back on",
  "page.call.speaker": "Sound comes from",
  "page.call.full_screen": "Full screen",
  "page.call.exit_full_screen": "Leave full screen",
  "page.call.leave": "Leave the call",
  "page.call.quality.good": "Good connection",
  "page.call.quality.fair": "Fair connection",
  "page.call.quality.poor": "Poor connection",
  "page.call.offer_sound_only": "The connection is poor. Sound only may work better.",
  "page.call.use_sound_only": "Switch to sound only",
  "page.call.no_devices": "Your camera or microphone could not be started. Check that no other app is using them, then try again.",
  "page.call.try_again": "Try again",
  "page.call.unavailable": "The call could not be connected. Trying again…",
  "page.call.speaking": "speaking",
  "page.call.blur": "Blur my background",
  "page.call.blur_failed": "The background could not be blurred on this device. Your camera shows as it is; you can turn it off.",
};

export function callWords(texts = null) {
  return wordsOf(ENGLISH, texts);
}
