// The consultation page's "Terms accepted" section: every consent record of the
// consultation (`GET /api/consultations/{id}/consents`, newest first): who accepted which
// version of the clinic's terms, in which language, and when.
import { el } from "/shared/dom.js";
import { explain } from "/clinic/explain.js";
import { formatMoment, languageName, roleName } from "/clinic/format.js";

const versionWords = (version) =>
  version === 0 ? "the default terms (version 0)" : `version ${version} of the terms`;
const who = (consent) =>
  consent.display_name
    ? `${consent.display_name}${consent.role ? ` (${roleName(consent.role)})` : ""}`
    : "A participant since removed";

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
      "ul",
      { class: "consents", "aria-label": "Terms accepted, newest first" },
      consents.map((c) =>
        el(
          "li",
          { "data-participant-id": c.participant_id, "data-terms-version": c.terms_version },
          el("strong", {}, who(c)),
          ` accepted ${versionWords(c.terms_version)} in ${languageName(c.language)} on `,
          el("time", { datetime: c.accepted_at }, formatMoment(c.accepted_at, clinic.time_zone)),
          ".",
        ),
      ),
    ),
  );
}
