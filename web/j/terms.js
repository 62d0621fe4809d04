// Step 1: the clinic's terms and data-protection notice. Ticking the box enables "Join the
// consultation", which stores the consent for exactly the text shown (its version and
// SHA-256, in its language). If the clinic changed its terms meanwhile (409 terms_changed),
// the new text is shown and asked for again.
import { ApiError, callApi } from "/shared/api.js";
import { el } from "/shared/dom.js";

export function render(page) {
  const { texts } = page;
  const terms = page.room.terms;
  page.setStep("terms", "page.terms.step");
  page.setTitle("page.terms.title");
  const text = el("div", { class: "terms-text", tabindex: "0", role: "region", lang: terms.language });
  text.setAttribute("aria-labelledby", "title");
  text.append(...terms.text.split(/\n{2,}/).map((paragraph) => el("p", {}, paragraph)));
  const box = el("input", { type: "checkbox", id: "accept" });
  const label = el("label", { for: "accept", class: "check" }, box, el("span", {}));
  texts.say(label.lastChild, "page.terms.accept");
  const join = el("button", { type: "button", class: "primary", disabled: true });
  texts.say(join, "page.terms.join");
  const receipt = el("a", { href: "/j/receipt.html", target: "_blank", rel: "noopener", hidden: !terms.accepted });
  texts.say(receipt, "page.terms.receipt");
  box.addEventListener("change", () => {
    join.disabled = !box.checked;
  });
  join.addEventListener("click", async () => {
    join.disabled = true;
    try {
      await callApi("POST", "/api/participant/consents", {
        body: { terms_version: terms.version, sha256: terms.sha256, language: terms.language },
      });
    } catch (error) {
      if (error instanceof ApiError && error.code === "terms_changed") {
        await page.refresh();
        page.say("page.terms.changed", { error: true });
        return;
      }
      page.say("page.join.check_connection", { error: true });
      join.disabled = !box.checked;
      return;
    }
    await page.refresh();
  });
  page.view.append(text, label, join, el("p", {}, receipt));
  return {};
}
