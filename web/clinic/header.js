// The header of every signed-in clinic page: the clinic's name (a link to the day view), who
// is signed in (the page's one role=status element) and the Sign out button.
import { el } from "/shared/dom.js";
import { say } from "/shared/messages.js";

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
  header.prepend(brand);
  header.append(signOut, problem);
}
