// The signed-in clinician's clinic (`GET /api/clinic`): its name, time zone, languages,
// channels and clinicians, which every page needs to show and schedule consultations.

export function loadClinic(session) {
  return session.call("GET", "/api/clinic");
}
