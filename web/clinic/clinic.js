// The signed-in clinician's clinic (`GET /api/clinic`): its name, time zone, languages,
// channels and clinicians, which every page needs to show and schedule consultations.
import { ApiError } from "/clinic/api.js";

export async function loadClinic(session) {
  try {
    return await session.call("GET", "/api/clinic");
  } catch (error) {
    // An API Gateway without the route answers 403 "Missing Authentication Token".
    if (!(error instanceof ApiError && error.code === "unknown" && [403, 404].includes(error.status))) throw error;
    return fallbackClinic(session); // TEMPORARY until main serves GET /api/clinic
  }
}

function fallbackClinic(session) {
  const { clinician } = session;
  return {
    clinic_id: clinician.clinic_id,
    name: "Clinic",
    time_zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    default_language: "en",
    languages: ["en", "fr", "de", "fi"],
    channels: ["sms", "email"],
    clinicians: [{ clinician_id: clinician.clinician_id, display_name: clinician.display_name }],
  };
}
