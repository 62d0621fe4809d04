// The clinic's day view: one day's consultations in the clinic's time zone, with previous /
// next day, "Today", "Only mine" and a link to each consultation. The day and the toggle live
// in the URL (?day=YYYY-MM-DD&mine=true), so reloading or going back keeps them.
import { el } from "/shared/dom.js";
import { consultationPage, newConsultationPage } from "/clinic/links.js";
import { formatDay, formatDuration, formatTimeRange } from "/clinic/format.js";
import { explain } from "/clinic/explain.js";
import { say } from "/shared/messages.js";
import { startPage } from "/clinic/page.js";
import { addDays, isDate, todayIn } from "/shared/time.js";

const { session, clinic } = await startPage();
const dayInput = document.getElementById("day");
const mine = document.getElementById("mine");
const heading = document.getElementById("day-heading");
const list = document.getElementById("day-list");
const message = document.getElementById("day-message");
const newLink = document.getElementById("new-consultation");
let shown = 0; // answers to older requests are dropped

function fromUrl() {
  const params = new URLSearchParams(window.location.search);
  const day = params.get("day");
  return {
    day: isDate(day) ? day : todayIn(clinic.time_zone),
    mine: params.get("mine") === "true",
  };
}

function go(day, onlyMine, { replace = false } = {}) {
  const params = new URLSearchParams({ day });
  if (onlyMine) params.set("mine", "true");
  history[replace ? "replaceState" : "pushState"](null, "", `?${params}`);
  show();
}

async function show() {
  const { day, mine: onlyMine } = fromUrl();
  const request = ++shown;
  dayInput.value = day;
  mine.checked = onlyMine;
  newLink.href = newConsultationPage(day);
  const today = day === todayIn(clinic.time_zone);
  heading.textContent = `${today ? "Today, " : ""}${formatDay(day)}`;
  list.setAttribute("aria-busy", "true");
  say(message, "Loading…");
  try {
    const answer = await session.call("GET", `/api/consultations?day=${day}&mine=${onlyMine}`);
    if (request !== shown) return;
    const consultations = answer.consultations.sort(
      (a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at),
    );
    list.replaceChildren(...consultations.map(row));
    say(
      message,
      consultations.length ? `${count(consultations)}.` : "No consultations on this day.",
    );
  } catch (error) {
    if (request !== shown) return;
    list.replaceChildren();
    say(message, explain(error), { error: true });
  } finally {
    if (request === shown) list.removeAttribute("aria-busy");
  }
}

function count(consultations) {
  const n = consultations.length;
  return `${n} consultation${n === 1 ? "" : "s"}`;
}

function row(entry) {
  const cancelled = entry.status === "cancelled";
  return el(
    "li",
    { class: cancelled ? "cancelled" : null },
    el(
      "a",
      { href: consultationPage(entry.consultation_id) },
      el(
        "span",
        { class: "time" },
        formatTimeRange(entry.starts_at, entry.duration_minutes, clinic.time_zone),
      ),
      el("span", { class: "name" }, entry.patient_display_name || "Consultation"),
      el("span", { class: "duration" }, formatDuration(entry.duration_minutes)),
      el("span", { class: `status ${entry.status}` }, cancelled ? "Cancelled" : "Scheduled"),
    ),
  );
}

dayInput.addEventListener("change", () => {
  if (isDate(dayInput.value)) go(dayInput.value, mine.checked);
});
mine.addEventListener("change", () => go(fromUrl().day, mine.checked));
document
  .getElementById("previous-day")
  .addEventListener("click", () => go(addDays(fromUrl().day, -1), mine.checked));
document
  .getElementById("next-day")
  .addEventListener("click", () => go(addDays(fromUrl().day, 1), mine.checked));
document
  .getElementById("today")
  .addEventListener("click", () => go(todayIn(clinic.time_zone), mine.checked));
document.getElementById("day-form").addEventListener("submit", (event) => event.preventDefault());
window.addEventListener("popstate", show);

document.getElementById("main").hidden = false;
show();
