// The header of every signed-in clinic page: the clinic's name (a link to the day view), the
// navigation (Consultations, Terms, Settings), who is signed in (the page's one role=status element)
// and the Sign out button. The current page's link carries aria-current="page".
import { el } from "/shared/dom.js";
import { say } from "/shared/messages.js";

const NAVIGATION = [
  ["/clinic/", "Consultations"],
  ["/clinic/terms.html", "Terms"],
  ["/clinic/settings.html", "Settings"],
];

export function renderHeader(header, session, clinic) {
  const who = header.querySelector("[role=status]");
  who.textContent = `Signed in as ${session.clinician.display_name}.`;
  const problem = el("p", { class: "message", role: "alert" });
  const signOut = el("button", { type: "button", class: "secondary" }, "Sign out");
  signOut.addEventListener("click", async () => {
    signOut.disabled = true;
    try {
      await session.signOut();
    } catch {
      say(problem, "Signing out failed. Please try again.", { error: true });
      signOut.disabled = false;
    }
  });
  const brand = el("a", { class: "brand", href: "/clinic/" }, clinic.name);
  const here = window.location.pathname.replace(/index\.html$/, "");
  const navigation = el(
    "nav",
    { "aria-label": "Clinic pages" },
    el(
      "ul",
      {},
      NAVIGATION.map(([href, label]) =>
        el("li", {}, el("a", { href, "aria-current": here === href ? "page" : null }, label)),
      ),
    ),
  );
  header.prepend(brand, navigation);
  header.append(signOut, problem);
}
