// Calls to the business's API, as any integrator makes them: the session cookie with its CSRF
// token, or the access token of a cashier who switched in by PIN.

export class NetworkError extends Error {}

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `The server answered ${status}.`);
    this.status = status;
    this.code = error.code || "";
    this.fields = error.fields || {};
  }
}

// A business held by billing (an unpaid Duka invoice) may read but not sell: the checkout and
// every other write answer 402 with one of these codes (billing/standing.py).
const HOLD_CODES = { subscription_suspended: "suspended", subscription_cancelled: "cancelled" };

/** "suspended" or "cancelled" when ``error`` is billing's refusal of a held business, else "". */
export function holdOf(error) {
  return (error instanceof ApiError && error.status === 402 && HOLD_CODES[error.code]) || "";
}

let bearer = null;

/** From now on call the API as the person this access token names (null: the session). */
export function useToken(token) {
  bearer = token;
}

export function usingToken() {
  return bearer !== null;
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export async function request(url, { method = "GET", body, headers = {} } = {}) {
  const init = {
    method,
    credentials: "same-origin",
    headers: { Accept: "application/json", ...headers },
  };
  if (bearer) init.headers.Authorization = `Bearer ${bearer}`;
  else if (method !== "GET") init.headers["X-CSRFToken"] = csrfToken();
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new NetworkError(error.message || "No connection.");
  }
  if (response.status === 204) return { status: 204, data: null };
  let data = null;
  const type = response.headers.get("Content-Type") || "";
  if (type.includes("json")) {
    try {
      data = await response.json();
    } catch {
      throw new NetworkError("The answer was cut off.");
    }
  } else if (!response.ok) {
    // A proxy's or the browser's own error page: the server did not answer this request.
    if (response.status >= 500 || response.status === 0) throw new NetworkError(`HTTP ${response.status}`);
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return { status: response.status, data };
}

export async function api(path, options) {
  return (await request(`/api/v1${path}`, options)).data;
}

/** A person-readable account of a refusal: the message, then each field's messages. */
export function errorText(error) {
  if (!(error instanceof ApiError)) return error.message || String(error);
  const details = [];
  for (const [field, problems] of Object.entries(error.fields || {})) {
    for (const problem of [].concat(problems)) {
      const text = typeof problem === "string" ? problem : problem.message;
      if (text && text !== error.message) details.push(`${field}: ${text}`);
    }
  }
  return [error.message, ...details].join(" — ");
}
