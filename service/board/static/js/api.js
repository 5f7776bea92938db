// The board's only way to the server: the public /v1 API, JSON in and out, problems as RFC 9457 problem+json.

const KEY_STORE = 'capplan.apiKey';

/** An error answer from the API: its status, its detail, and every problem it lists (field path, message). */
export class ApiProblem extends Error {
  constructor(status, body) {
    super(body?.detail || `The service answered ${status}.`);
    this.status = status;
    this.body = body || {};
    this.errors = Array.isArray(body?.errors) ? body.errors : [];
  }
}

export function apiKey() {
  return sessionStorage.getItem(KEY_STORE) || '';
}

export function setApiKey(key) {
  if (key) sessionStorage.setItem(KEY_STORE, key);
  else sessionStorage.removeItem(KEY_STORE);
}

function headers(withBody) {
  const result = { Accept: 'application/json, application/problem+json' };
  if (withBody) result['Content-Type'] = 'application/json';
  const key = apiKey();
  if (key) result.Authorization = `Bearer ${key}`;
  return result;
}

async function send(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: headers(body !== undefined),
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (!response.ok) {
    let problem = null;
    try { problem = await response.json(); } catch { problem = null; }
    throw new ApiProblem(response.status, problem);
  }
  return response;
}

/** GET a JSON resource. */
export async function getJson(path) {
  return (await send('GET', path)).json();
}

/** POST a JSON body, answer parsed JSON (and the response, for its headers). */
export async function postJson(path, body) {
  const response = await send('POST', path, body);
  return { data: response.status === 204 ? null : await response.json(), response };
}

/** POST a JSON body, answer the raw file (a report). */
export async function postForBlob(path, body) {
  return (await send('POST', path, body)).blob();
}
