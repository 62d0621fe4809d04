// Addresses of the clinic pages, so every page links to the others the same way.

export function dayPage(day) {
  return day ? `/clinic/?day=${encodeURIComponent(day)}` : "/clinic/";
}

export function consultationPage(consultationId) {
  return `/clinic/consultation.html?id=${encodeURIComponent(consultationId)}`;
}

export function newConsultationPage(day) {
  return `/clinic/new.html?day=${encodeURIComponent(day)}`;
}
