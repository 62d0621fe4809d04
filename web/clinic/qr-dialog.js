// Shows a participant's fresh personal link in a dialog: its QR code to scan from the screen,
// the address with a Copy button, and the access code when the consultation needs one.
// The QR's SVG is parsed as XML and imported as nodes, never inserted as markup.
import { openDialog } from "/shared/dialog.js";
import { el, uniqueId } from "/shared/dom.js";
import { formatMoment } from "/clinic/format.js";
import { say } from "/shared/messages.js";

export function showLinkDialog(link, participantName, timeZone) {
  const urlId = uniqueId("link-url");
  const url = el("input", {
    id: urlId,
    type: "text",
    readonly: true,
    value: link.url,
    class: "url",
  });
  const copied = el("p", { class: "message", "aria-live": "polite" });
  const copy = el("button", { type: "button" }, "Copy link");
  copy.addEventListener("click", async () => {
    say(
      copied,
      (await copyText(url)) ? "Link copied." : "Copying failed: select the link and copy it.",
    );
  });
  openDialog({
    title: `Link for ${participantName}`,
    content: [
      el("figure", { class: "qr" }, qrImage(link.qr_svg)),
      el("p", {}, "Let them scan this code with their phone's camera, or copy the link for them."),
      el("label", { for: urlId }, "Personal link"),
      url,
      copy,
      copied,
      link.access_code
        ? el("p", {}, "Access code: ", el("strong", { class: "code" }, link.access_code))
        : null,
      link.expires_at
        ? el("p", { class: "hint" }, `Valid until ${formatMoment(link.expires_at, timeZone)}.`)
        : null,
    ],
  });
}

/** The <svg> element of an SVG document, without scripts or event handlers. */
export function qrImage(svgText) {
  const parsed = new DOMParser().parseFromString(svgText || "", "image/svg+xml");
  const root = parsed.documentElement;
  if (root.localName !== "svg" || parsed.getElementsByTagName("parsererror").length) {
    return el("p", {}, "The QR code could not be shown; copy the link instead.");
  }
  for (const node of [...root.querySelectorAll("script, foreignObject")]) node.remove();
  for (const node of [root, ...root.querySelectorAll("*")]) {
    for (const attribute of [...node.attributes]) {
      const name = attribute.name.toLowerCase();
      if (name.startsWith("on") || (name.endsWith("href") && !attribute.value.startsWith("#"))) {
        node.removeAttribute(attribute.name);
      }
    }
  }
  const svg = document.importNode(root, true);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "QR code of the personal link");
  return svg;
}

async function copyText(input) {
  try {
    await navigator.clipboard.writeText(input.value);
    return true;
  } catch {
    input.select();
    return document.execCommand("copy");
  }
}
