// Calls to the REST API from every page (clinic and participant): JSON in, JSON out, errors
// as ApiError. Session cookies are HttpOnly: scripts never see them, the browser sends them
// to /api. An error answer that is not the API's JSON (a proxy's page) has code "unknown".

export class ApiError extends Error {
  constructor(
    status,
    code,
    message,
    { field = null, retryAfter = null, reason = null, title = null, details = {} } = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field; // the bad input, e.g. "patient.phone", for invalid_field
    this.retryAfter = retryAfter; // seconds, on 429
    this.reason = reason; // why a participant link is refused, e.g. "wrong_code"
    this.title = title; // a participant-facing title, already in their language
    this.details = details; // the whole error object, e.g. `status` of a 410
  }
}

/** `credentials: "omit"` sends no cookie (texts anyone may read). */
export async function callApi(method, path, { body, csrfToken, credentials = "same-origin" } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (csrfToken) headers["X-Vestibule-CSRF"] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials,
  });
  const text = await response.text();
  const data = text ? parseJson(text) : null;
  if (!response.ok) {
    const error = (data && data.error) || {};
    const details = {
      field: error.field || null,
      retryAfter: Number(response.headers.get("Retry-After")) || null,
      reason: error.reason || null,
      title: error.title || null,
      details: error,
    };
    const text = error.message || response.statusText;
    throw new ApiError(response.status, error.code || "unknown", text, details);
  }
  return data;
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null; // a proxy's HTML error page: the status says enough
  }
}
