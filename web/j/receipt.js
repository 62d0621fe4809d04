// The participant's consent receipt: the latest consent of this session's participant.
import { callApi } from "/shared/api.js";
import { el } from "/shared/dom.js";
import { pageTexts } from "/shared/texts.js";

const texts = pageTexts();
const $ = (id) => document.getElementById(id);

async function show() {
  let receipt;
  try {
    receipt = await callApi("GET", "/api/participant/consents/latest");
  } catch {
    await texts.load();
    texts.say($("message"), "page.receipt.none");
    return;
  }
  await texts.load(receipt.language);
  const format = (iso) =>
    new Intl.DateTimeFormat(receipt.language, { dateStyle: "long", timeStyle: "short" }).format(new Date(iso));
  $("clinic").textContent = receipt.clinic_name;
  $("name").textContent = receipt.participant_display_name;
  $("appointment").textContent = format(receipt.consultation_starts_at);
  $("accepted").textContent = format(receipt.accepted_at);
  $("version").textContent = String(receipt.terms_version);
  $("sha").textContent = receipt.sha256;
  $("text").lang = receipt.language;
  $("text").replaceChildren(...receipt.text.split(/\n{2,}/).map((paragraph) => el("p", {}, paragraph)));
  $("facts").hidden = false;
  $("text-heading").hidden = false;
  $("print").hidden = false;
}

$("print").addEventListener("click", () => window.print());
show();
