// The chat's texts: catalogue keys (`page.chat.*` in chalicelib/i18n/locales/*.json) and
// their English, for `/shared/words.js`.
import { wordsOf } from "/shared/words.js";

export const ENGLISH = {
  "page.chat.heading": "Messages",
  "page.chat.empty": "No messages yet.",
  "page.chat.label": "Your message",
  "page.chat.send": "Send",
  "page.chat.attach": "Send a photo or document",
  "page.chat.attach_hint": "Photos (JPEG, PNG) or PDF documents, up to 10 MB.",
  "page.chat.you": "You",
  "page.chat.sending": "Sending…",
  "page.chat.sent": "Sent",
  "page.chat.failed": "Not sent.",
  "page.chat.retry": "Try again",
  "page.chat.older": "Show earlier messages",
  "page.chat.uploading": "Sending {name}… {percent} %",
  "page.chat.checking": "Checking {name}…",
  "page.chat.too_big": "This file is larger than 10 MB. Please choose a smaller one.",
  "page.chat.wrong_type": "Only photos (JPEG, PNG) and PDF documents can be sent.",
  "page.chat.upload_failed": "The file could not be sent. Please check your connection and try again.",
  "page.chat.file_sent": "{name} was sent.",
  "page.chat.save_file": "Save {name} ({size})",
  "page.chat.open_photo": "Save the photo {name}",
  "page.chat.chars_left": "{count} characters left",
  "page.chat.role.patient": "Patient",
  "page.chat.role.family": "Family member",
  "page.chat.role.interpreter": "Interpreter",
  "page.chat.role.professional": "Professional",
  "page.chat.role.clinician": "Clinician",
};

/** `words(key, vars)`: the text of `key` from `texts` (a `Texts`), else the English here. */
export function chatWords(texts = null) {
  return wordsOf(ENGLISH, texts);
}
