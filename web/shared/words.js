// Texts of the shared components (the chat, the call) that pages of both kinds show: the
// participant page has its catalogue loaded (`/shared/texts.js`); the clinic pages are in
// English and pass no texts, so a component's own English is what they show.
import { fill } from "/shared/texts.js";

/** `words(key, vars)`: the text of `key` from `texts` (a `Texts`), else from `english`. */
export function wordsOf(english, texts = null) {
  return (key, vars = {}) => fill((texts && texts.get(key)) || english[key] || key, vars);
}
