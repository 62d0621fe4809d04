// Starts every signed-in clinic page: the session (or off to sign in), the clinic, the
// header. A page that cannot start says so in the header and stops.
import { loadClinic } from "/clinic/clinic.js";
import { renderHeader } from "/clinic/header.js";
import { openSession } from "/clinic/session.js";

export async function startPage() {
  const header = document.getElementById("top");
  try {
    const session = await openSession();
    const clinic = await loadClinic(session);
    renderHeader(header, session, clinic);
    return { session, clinic };
  } catch (error) {
    header.querySelector("[role=status]").textContent =
      "Your session could not be checked. Please reload the page.";
    throw error;
  }
}
