// The terms editor (`terms.html`): the clinic's current terms, one text per language (the
// catalogue's default where the clinic has none: version 0), "Save as new version"
// (`POST /api/clinic/terms`: never an edit in place) and every past version with its date
// and author (`GET /api/clinic/terms`).
import { ApiError } from "/shared/api.js";
import { el } from "/shared/dom.js";
import { clearFieldErrors, reportError, showFieldError } from "/clinic/field-errors.js";
import { formatMoment, languageName } from "/clinic/format.js";
import { say } from "/shared/messages.js";
import { startPage } from "/clinic/page.js";
import { explain } from "/clinic/explain.js";

const { session, clinic } = await startPage();
const form = document.getElementById("terms-form");
const texts = document.getElementById("texts");
const status = document.getElementById("terms-message");
const current = document.getElementById("current");
const versions = document.getElementById("versions");
const save = document.getElementById("save");
const authors = new Map(clinic.clinicians.map((c) => [c.clinician_id, c.display_name]));
// The clinic's own language first, then the others as the API lists them.
const LANGUAGES = [
  ...clinic.languages.filter((l) => l === clinic.default_language),
  ...clinic.languages.filter((l) => l !== clinic.default_language),
];
const MAX_TEXT_LENGTH = 15_000; // chalicelib/consent/terms.py

const versionName = (version) => (version === 0 ? "the default terms (version 0)" : `version ${version}`);

function versionLine(entry) {
  const parts = [entry.version === 0 ? "Version 0: the default terms" : `Version ${entry.version}`];
  if (entry.created_at) parts.push(`saved ${formatMoment(entry.created_at, clinic.time_zone)}`);
  if (entry.created_by) parts.push(`by ${authors.get(entry.created_by) || entry.created_by}`);
  return parts.join(", ");
}

function render(answer) {
  const sorted = [...answer.versions].sort((a, b) => b.version - a.version);
  const latest = sorted.find((v) => v.version === answer.current_version) || sorted[0];
  current.textContent = `In use: ${versionName(answer.current_version)}.`;
  texts.replaceChildren(
    ...LANGUAGES.map((language) => {
      const id = `text-${language}`;
      return el(
        "div",
        { class: "language-text" },
        el("label", { for: id }, `${languageName(language)} (${language})`),
        el("textarea", { id, name: language, lang: language, "data-field": `texts.${language}`, rows: 10, maxlength: MAX_TEXT_LENGTH, "aria-describedby": "texts-hint" }, latest?.texts?.[language] ?? ""),
      );
    }),
  );
  versions.replaceChildren(
    ...sorted.map((entry) =>
      el(
        "li",
        { "data-version": entry.version },
        el(
          "details",
          {},
          el("summary", {}, versionLine(entry), entry.version === answer.current_version ? " (in use)" : null),
          LANGUAGES.filter((l) => entry.texts?.[l]).map((language) => [
            el("h3", {}, languageName(language)),
            el("p", { class: "terms-text", lang: language }, entry.texts[language]),
          ]),
        ),
      ),
    ),
  );
}

async function load() {
  render(await session.call("GET", "/api/clinic/terms"));
  form.hidden = false;
  document.getElementById("past").hidden = false;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearFieldErrors(form);
  const body = {};
  for (const language of LANGUAGES) {
    const text = form.elements[language].value.trim();
    if (text) body[language] = text;
  }
  if (!Object.keys(body).length) {
    showFieldError(form, `texts.${LANGUAGES[0]}`, "Write the terms in at least one language.");
    say(status, "Please correct the marked field.", { error: true });
    return;
  }
  save.disabled = true;
  say(status, "Saving…");
  try {
    const saved = await session.call("POST", "/api/clinic/terms", { texts: body });
    render(saved);
    say(
      status,
      `Saved as version ${saved.current_version}. Participants are asked to accept it before they join.`,
    );
  } catch (error) {
    if (error instanceof ApiError && error.code === "terms_changed") {
      await load().catch(() => {});
      say(
        status,
        "Someone else saved a new version meanwhile: it is shown now. Make your changes again and save.",
        { error: true },
      );
    } else {
      reportError(form, error, status);
    }
  } finally {
    save.disabled = false;
  }
});

document.getElementById("main").hidden = false;
try {
  await load();
} catch (error) {
  say(status, `The terms could not be read. ${explain(error)}`, { error: true });
}
