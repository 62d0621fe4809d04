// The consultation page's "Terms accepted" section: every consent record of the
// consultation (`GET /api/consultations/{id}/consents`, newest first): who accepted which
// version of the clinic's terms, in which language, and when.
import { el } from "/shared/dom.js";
import { explain } from "/clinic/explain.js";
import { formatMoment, languageName, roleName } from "/clinic/format.js";

const versionWords = (version) => (version === 0 ? "Default terms (version 0)" : `Version ${version}`);

export async function renderConsents(section, consultationId, { session, clinic }) {
  const heading = el("h2", { id: "consents-heading" }, "Terms accepted");
  let consents;
  try {
    const answer = await session.call(
      "GET",
      `/api/consultations/${encodeURIComponent(consultationId)}/consents`,
    );
    consents = answer.consents;
  } catch (error) {
    section.replaceChildren(
      heading,
      el("p", { class: "message error" }, `The consent records could not be read. ${explain(error)}`),
    );
    return;
  }
  if (!consents.length) {
    section.replaceChildren(heading, el("p", {}, "Nobody has accepted the terms yet."));
    return;
  }
  section.replaceChildren(
    heading,
    el(
      "table",
      { class: "consents" },
      el("caption", { class: "visually-hidden" }, "Terms accepted, newest first"),
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          ["Participant", "Terms", "Language", "Accepted"].map((h) => el("th", { scope: "col" }, h)),
        ),
      ),
      el(
        "tbody",
        {},
        consents.map((c) =>
          el(
            "tr",
            { "data-participant-id": c.participant_id },
            el(
              "th",
              { scope: "row" },
              c.display_name
                ? `${c.display_name}${c.role ? ` (${roleName(c.role)})` : ""}`
                : "A participant since removed",
            ),
            el("td", {}, versionWords(c.terms_version)),
            el("td", {}, languageName(c.language)),
            el("td", {}, el("time", { datetime: c.accepted_at }, formatMoment(c.accepted_at, clinic.time_zone))),
          ),
        ),
      ),
    ),
  );
}
