// Words for the clinician: an API error explained in English, and the API's message about
// a bad field made readable. (Showing a message is `/shared/messages.js`.)
import { ApiError } from "/shared/api.js";

/** The API's message for a bad field, readable: "patient.phone is ..." -> "Phone is ...". */
export function fieldMessage(error) {
  const text = String(error.message || "This value is not valid")
    .replaceAll("`", "")
    .replace(/\b(patient|participant)\./g, "")
    .replaceAll("_", " ")
    .trim();
  const sentence = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}

export function explain(error, { notFound = "This item no longer exists." } = {}) {
  if (!(error instanceof ApiError)) {
    return "The server could not be reached. Check your connection and try again.";
  }
  if (error.code === "invalid_field") return fieldMessage(error);
  switch (error.status) {
    case 401:
      return "Your session has ended. Please sign in again.";
    case 403:
      return "You are not allowed to do this. Please reload the page and try again.";
    case 404:
      return notFound;
    case 409:
      return `This cannot be done now: ${fieldMessage(error)}`;
    case 429:
      return error.retryAfter
        ? `Too many requests. Please wait ${error.retryAfter} seconds and try again.`
        : "Too many requests. Please wait a little and try again.";
    default:
      return error.status >= 500
        ? "Something went wrong on the server. Please try again."
        : fieldMessage(error);
  }
}
