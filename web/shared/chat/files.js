// Photos and PDFs in the chat: preparing a file in the browser, sending it straight to S3
// with the presigned POST the API grants, and showing a sent file (a thumbnail for a photo,
// a named link with its size for a PDF). The server checks every file from its bytes after
// the upload (chalicelib/files); what the browser does here is for the patient's sake:
//
// - a photo is re-encoded through a canvas, which drops its EXIF data (a phone photo's GPS
//   location) and, on a poor connection, shrinks a 12-megapixel photo to a few hundred KB;
// - a file the browser cannot decode is sent as it is and the server decides (its answer,
//   in the sender's language, is what the page shows);
// - the upload uses XMLHttpRequest, the one browser API that reports upload progress.

import { el } from "/shared/dom.js";

export const MAX_BYTES = 10 * 1024 * 1024;
const TYPES_BY_EXTENSION = { jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", pdf: "application/pdf" };
const ALLOWED = new Set(Object.values(TYPES_BY_EXTENSION));
const LONGEST_SIDE = 2048; // enough to read a letter or see a rash; far lighter than a camera's
const JPEG_QUALITY = 0.85;

export class FileProblem extends Error {
  /** `key`: the words of the problem (`page.chat.too_big`, `page.chat.wrong_type`). */
  constructor(key) {
    super(key);
    this.key = key;
  }
}

/** The API's file routes for a participant (`/api/participant`) or a clinician. */
export function filesApi(base, call) {
  return {
    ask: (fileName, contentType) =>
      call("POST", `${base}/files`, { file_name: fileName, content_type: contentType }),
    complete: (fileId) => call("POST", `${base}/files/${encodeURIComponent(fileId)}/complete`, {}),
    link: async (fileId) => (await call("GET", `${base}/files/${encodeURIComponent(fileId)}`)).url,
  };
}

/** `{blob, name, type}` to upload for the chosen `file`; throws FileProblem. */
export async function prepareFile(file) {
  const type = declaredType(file);
  if (!type) throw new FileProblem("page.chat.wrong_type");
  let blob = file;
  if (type !== "application/pdf") blob = (await reencoded(file, type)) || file;
  if (blob.size > MAX_BYTES) throw new FileProblem("page.chat.too_big");
  return { blob, name: file.name || "file", type };
}

/** Posts `blob` to S3 with the grant's form fields; resolves when S3 has it. */
export function upload(grant, blob, name, onProgress = () => {}) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [field, value] of Object.entries(grant.fields)) form.append(field, value);
    form.append("file", blob, name);
    const request = new XMLHttpRequest();
    request.open("POST", grant.url);
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(Math.floor((100 * event.loaded) / event.total));
    });
    request.addEventListener("load", () =>
      request.status >= 200 && request.status < 300
        ? resolve()
        : reject(new Error(`the upload was refused (${request.status})`)),
    );
    request.addEventListener("error", () => reject(new Error("the upload failed")));
    request.send(form);
  });
}

/** Saves a sent file: a fresh short-lived link, followed (the answer says "attachment"). */
export async function saveFile(files, fileId) {
  const url = await files.link(fileId);
  const link = el("a", { href: url, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
}

/**
 * The view of a sent file: a thumbnail (its link asked for when it scrolls into view) or
 * the file's name and size; either one saves the file when pressed.
 */
export function attachmentView(attachment, { files, words, language, onError }) {
  const size = formatSize(attachment.size_bytes, language);
  const save = () => saveFile(files, attachment.file_id).catch(onError);
  if (attachment.content_type.startsWith("image/")) {
    const image = el("img", { class: "chat-thumbnail", alt: attachment.file_name });
    const button = el(
      "button",
      { type: "button", class: "chat-photo", onclick: save },
      image,
      el("span", { class: "visually-hidden" }, words("page.chat.open_photo", { name: attachment.file_name })),
    );
    whenVisible(button, () =>
      files.link(attachment.file_id).then(
        (url) => (image.src = url),
        () => (image.alt = `${attachment.file_name} (${size})`),
      ),
    );
    return button;
  }
  return el(
    "button",
    { type: "button", class: "chat-file", onclick: save },
    words("page.chat.save_file", { name: attachment.file_name, size }),
  );
}

/** "1.2 MB" in the reader's language. */
export function formatSize(bytes, language = "en") {
  const [value, unit] = bytes >= 1024 * 1024 ? [bytes / (1024 * 1024), "megabyte"] : [Math.max(1, bytes / 1024), "kilobyte"];
  try {
    return new Intl.NumberFormat(language, { style: "unit", unit, maximumFractionDigits: 1 }).format(value);
  } catch {
    return `${value.toFixed(1)} ${unit === "megabyte" ? "MB" : "KB"}`;
  }
}

function declaredType(file) {
  if (ALLOWED.has(file.type)) return file.type;
  const extension = (file.name || "").split(".").pop().toLowerCase();
  return TYPES_BY_EXTENSION[extension] || null;
}

/** The image drawn again, without its metadata and at most LONGEST_SIDE; null if unreadable. */
async function reencoded(file, type) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch {
    return null; // not an image the browser can read: the server will say what it is
  }
  const scale = Math.min(1, LONGEST_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return new Promise((resolve) => canvas.toBlob(resolve, type, JPEG_QUALITY));
}

function whenVisible(element, callback) {
  if (typeof IntersectionObserver !== "function") {
    callback();
    return;
  }
  const observer = new IntersectionObserver((entries) => {
    if (!entries.some((entry) => entry.isIntersecting)) return;
    observer.disconnect();
    callback();
  });
  observer.observe(element);
}
