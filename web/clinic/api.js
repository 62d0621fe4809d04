// Calls to the REST API from the clinic pages: JSON in, JSON out, errors as ApiError.
// The session cookie is HttpOnly: scripts never see it, the browser sends it to /api.

export class ApiError extends Error {
  constructor(status, code, message, { field = null, retryAfter = null } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field; // the bad input, e.g. "patient.phone", for invalid_field
    this.retryAfter = retryAfter; // seconds, on 429
  }
}

export async function callApi(method, path, { body, csrfToken } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (csrfToken) headers["X-Vestibule-CSRF"] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  const text = await response.text();
  const data = text ? parseJson(text) : null;
  if (!response.ok) {
    const error = (data && data.error) || {};
    const details = {
      field: error.field || null,
      retryAfter: Number(response.headers.get("Retry-After")) || null,
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
