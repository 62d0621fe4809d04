// Messages on a page: a text shown in a live region (an error or not), and a one-shot
// message carried to the next page of the same tab (e.g. "Consultation created.").

const FLASH_KEY = "vestibule.flash";

export function say(element, text, { error = false } = {}) {
  element.textContent = text;
  element.classList.toggle("error", error);
}

export function setFlash(text) {
  sessionStorage.setItem(FLASH_KEY, text);
}

export function takeFlash() {
  const text = sessionStorage.getItem(FLASH_KEY);
  sessionStorage.removeItem(FLASH_KEY);
  return text;
}
