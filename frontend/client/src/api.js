// API client with the refresh-aware interceptor.
//
// Independent of the DOM: fetch, the token store, the clock and the lock
// manager are injected (see main.js for the browser wiring, tests/ for fakes).
//
// Rules:
//  - before each secured request the token's expiry is checked with a margin
//    (server clock, see token-store.js); an expiring token is refreshed first;
//  - one refresh at a time per tab (single flight), and across tabs the refresh
//    runs under a Web Lock; after taking the lock the store is re-read and the
//    refresh is skipped if another tab already did it; the lock wait is bounded;
//  - a 401 on a secured request is retried once with the current token,
//    refreshing only if the failed token is still the current one;
//  - the refresh call itself is never intercepted;
//  - refresh 401 -> clear the token, onLogout() exactly once;
//    network error, 5xx, 429 -> no logout: onStatus() is told, retry with backoff;
//  - a logout during an in-flight refresh wins: the refresh result is discarded.

import { BACKOFF, backoffDelay } from './backoff.js';

export const REFRESH_LOCK = 'gatehouse-token-refresh';

const PATHS = {
  login: '/api/auth/login/',
  loginMfa: '/api/auth/login/mfa/',
  loginMfaPasskeyOptions: '/api/auth/login/mfa/passkey/options/',
  refresh: '/api/auth/refresh/',
  logout: '/api/auth/logout/',
  logoutAll: '/api/auth/logout-all/',
  logoutOthers: '/api/auth/logout-others/',
  me: '/api/auth/me/',
  exportData: '/api/auth/export/',
  sessions: '/api/auth/sessions/',
  activity: '/api/auth/activity/',
  passwordRules: '/api/auth/password-rules/',
  config: '/api/auth/config/',
  password: '/api/auth/password/',
  reauthenticate: '/api/auth/reauthenticate/',
  register: '/api/auth/register/',
  passwordReset: '/api/auth/password-reset/',
  passwordResetConfirm: '/api/auth/password-reset/confirm/',
  passwordResetAccount: '/api/auth/password-reset/account/',
  emailVerify: '/api/auth/email/verify/',
  emailVerifyResend: '/api/auth/email/verify/resend/',
  emailChange: '/api/auth/email/change/',
  users: '/api/auth/users/',
  mfa: '/api/auth/mfa/',
  totp: '/api/auth/mfa/totp/',
  totpConfirm: '/api/auth/mfa/totp/confirm/',
  recoveryCodes: '/api/auth/mfa/recovery-codes/',
  passkeys: '/api/auth/passkeys/',
  passkeyOptions: '/api/auth/passkeys/options/',
  passkeyLoginOptions: '/api/auth/login/passkey/options/',
  passkeyLogin: '/api/auth/login/passkey/',
  loginCode: '/api/auth/login/code/',
  loginCodeConfirm: '/api/auth/login/code/confirm/',
  passkeyReauthOptions: '/api/auth/reauthenticate/passkey/options/',
  trustedDevices: '/api/auth/trusted-devices/',
};

/**
 * What `login` resolves with when the password was right and the account has a
 * second factor (202): the code goes to `loginSecondStep(mfaToken, code)`.
 */
export class SecondStepRequired {
  constructor({ mfa_token: mfaToken, methods = [], expires_in: expiresIn = null } = {}) {
    this.mfaToken = mfaToken;
    this.methods = Array.isArray(methods) ? methods : [];
    this.expiresIn = expiresIn;
  }
}

/** The server answered with an error status. */
export class ApiError extends Error {
  constructor(status, body = null, { retryAfterMs = null } = {}) {
    const detail = body && typeof body.detail === 'string' ? body.detail : `Request failed (${status})`;
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.code = body && typeof body.code === 'string' ? body.code : null;
    this.detail = detail;
    this.fields = body && body.fields && typeof body.fields === 'object' ? body.fields : {};
    this.body = body;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Not logged in (no token, session ended, or logged out meanwhile). */
export class AuthError extends Error {
  constructor(reason = 'not_authenticated') {
    super(reason === 'not_authenticated' ? 'You are not signed in.' : 'Your session has ended.');
    this.name = 'AuthError';
    this.reason = reason;
  }
}

/**
 * The server could not be reached or is temporarily unavailable (no logout).
 * `detail` is the server's own reason when Gatehouse itself answered (a JSON
 * 5xx such as 503 `passkeys_unavailable`), and null when nothing or something
 * else answered (no connection, a proxy's HTML 502 or 504).
 */
export class TransientError extends Error {
  constructor(message, { status = null, retryAfterMs = null, cause = null, detail = null, code = null } = {}) {
    super(message);
    this.name = 'TransientError';
    this.status = status;
    this.retryAfterMs = retryAfterMs;
    this.detail = detail;
    this.code = code;
    if (cause) this.cause = cause;
  }
}

/** Parse a Retry-After header (seconds or HTTP date) into milliseconds. */
export function parseRetryAfter(value, nowMs) {
  if (value === null || value === undefined || value === '') return null;
  const secs = Number(value);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(value);
  if (Number.isFinite(at) && Number.isFinite(nowMs)) return Math.max(0, at - nowMs);
  return null;
}

/** Whether the answer is JSON, i.e. Gatehouse's own (a proxy's error page is HTML or text). */
function isJson(res) {
  const type = (res.headers && res.headers.get && res.headers.get('Content-Type')) || '';
  return type.includes('json');
}

async function readBody(res) {
  if (res.status === 204 || res.status === 205) return null;
  const type = (res.headers && res.headers.get && res.headers.get('Content-Type')) || '';
  try {
    if (type.includes('json')) return await res.json();
    const text = await res.text();
    if (!text) return null;
    try {
      return JSON.parse(text);
    } catch {
      return { detail: text.slice(0, 200) };
    }
  } catch {
    return null;
  }
}

/** Whether a request body can be sent a second time (a stream is read once). */
function isReplayable(body) {
  if (body === undefined || body === null || typeof body === 'string') return true;
  if (typeof ReadableStream === 'function' && body instanceof ReadableStream) return false;
  return true;
}

function header(res, name) {
  return (res.headers && res.headers.get && res.headers.get(name)) || null;
}

/**
 * @param {object} deps
 * @param {typeof fetch} deps.fetch
 * @param {ReturnType<import('./token-store.js').createTokenStore>} deps.store
 * @param {{now(): number, setTimeout(fn: Function, ms: number): any, clearTimeout(id: any): void}} deps.clock
 * @param {LockManager|null} [deps.locks] navigator.locks, or null/undefined when unavailable
 * @param {(info: {reason: string}) => void} [deps.onLogout] called once per end of session
 * @param {(err: ApiError) => Promise<boolean>} [deps.onReauthRequired] a route answered 403 reauthentication_required
 *   (`err.body.methods`, when present, says what a re-authentication may use there):
 *   ask the user to authenticate again (through `reauthenticate`); true retries the request once
 * @param {(info: {state: 'retrying'|'offline'|'ok', attempt?: number, delayMs?: number, error?: Error}) => void} [deps.onStatus]
 * @param {string} [deps.baseUrl] Gatehouse's origin ('' when the page is served by Gatehouse itself)
 * @param {RequestCredentials} [deps.credentials] the cookie mode of every call to Gatehouse: 'same-origin'
 *   (default) for the bundled app, 'include' for a page on another origin of the same site
 * @param {number} [deps.marginMs] refresh when the token has less than this left (default 30 s),
 *   or less than a third of its lifetime when that is shorter (so a 20 s token is not refreshed at once)
 * @param {number} [deps.lockTimeoutMs] bound on the wait for the cross-tab lock
 * @param {string} [deps.lockName] the cross-tab lock's name (default REFRESH_LOCK; one per token store)
 * @param {number} [deps.requestTimeoutMs] bound on the refresh request itself
 * @param {{initialMs?: number, maxMs?: number, maxAttempts?: number}} [deps.backoff] refresh retries: doubling
 *   from initialMs up to maxMs (30 s), for ever unless maxAttempts is given; `retryNow()` cuts a wait short
 * @param {(ms: number) => Promise<void>} [deps.sleep]
 * @param {() => number} [deps.random] jitter source in [0, 1)
 */
export function createApiClient({
  fetch,
  store,
  clock,
  locks = null,
  onLogout = () => {},
  onStatus = () => {},
  onReauthRequired = null,
  baseUrl = '',
  credentials = 'same-origin',
  marginMs = 30_000,
  lockTimeoutMs = 10_000,
  lockName = REFRESH_LOCK,
  requestTimeoutMs = 15_000,
  backoff = {},
  sleep,
  random = Math.random,
} = {}) {
  if (typeof fetch !== 'function') throw new TypeError('createApiClient: fetch is required');
  if (!store) throw new TypeError('createApiClient: store is required');
  if (!clock) throw new TypeError('createApiClient: clock is required');

  const { initialMs = BACKOFF.initialMs, maxMs = BACKOFF.maxMs, maxAttempts = Infinity } = backoff;

  /** How early to refresh: the configured margin, but never more than a third of the token's lifetime. */
  function refreshMargin(token) {
    const life = store.lifetime(token);
    return Number.isFinite(life) && life > 0 ? Math.min(marginMs, life / 3) : marginMs;
  }
  const wait = sleep || ((ms) => new Promise((resolve) => clock.setTimeout(resolve, ms)));

  let epoch = 0; // bumped by every logout (here or in another tab) and login
  let inflight = null; // the single in-flight refresh of this tab
  let loggedIn = !!store.get();
  let degraded = false; // onStatus told 'retrying'/'offline' and not yet 'ok'

  const url = (path) => (/^https?:\/\//.test(path) ? path : baseUrl + path);

  function timeoutSignal(ms) {
    const controller = new AbortController();
    const id = clock.setTimeout(() => {
      const reason =
        typeof DOMException === 'function'
          ? new DOMException('The operation timed out.', 'TimeoutError')
          : new Error('timeout');
      controller.abort(reason);
    }, ms);
    return { signal: controller.signal, cancel: () => clock.clearTimeout(id) };
  }

  function status(info) {
    if (info.state === 'ok') {
      if (!degraded) return;
      degraded = false;
    } else {
      degraded = true;
    }
    try {
      onStatus(info);
    } catch {
      /* UI callbacks must not break the client */
    }
  }

  // End the session in this tab: discard in-flight refreshes, clear the token,
  // tell the app once.
  function endSession(reason) {
    epoch += 1;
    inflight = null;
    const wasLoggedIn = loggedIn;
    loggedIn = false;
    if (store.get() !== null) store.clear();
    if (wasLoggedIn) {
      try {
        onLogout({ reason });
      } catch {
        /* ignore */
      }
    }
  }

  const unsubscribe = store.subscribe((token, { external }) => {
    if (token) {
      if (!loggedIn) loggedIn = true;
      return;
    }
    if (loggedIn) endSession(external ? 'elsewhere' : 'cleared');
  });

  function sendLogoutBeacon() {
    // Best effort; the cookie route is idempotent.
    Promise.resolve()
      .then(() => fetch(url(PATHS.logout), { method: 'POST', credentials }))
      .catch(() => {});
  }

  // ---- refresh -------------------------------------------------------------

  async function withLock(fn) {
    if (!locks || typeof locks.request !== 'function') return fn();
    const timer = timeoutSignal(lockTimeoutMs);
    let granted = false;
    try {
      return await locks.request(lockName, { mode: 'exclusive', signal: timer.signal }, () => {
        granted = true;
        timer.cancel();
        return fn();
      });
    } catch (err) {
      if (granted) throw err;
      // The lock could not be had in time (a frozen tab holds it) or the lock
      // manager failed: go on without it; the server's grace window covers a
      // concurrent refresh.
      return fn();
    } finally {
      timer.cancel();
    }
  }

  async function refreshAttempt(stale, myEpoch) {
    if (myEpoch !== epoch) throw new AuthError('logged_out');
    // Re-read: another tab may have refreshed (or logged out) while we waited.
    const current = store.get();
    if (current === null) throw new AuthError('logged_out');
    if (current !== stale && !store.isExpiring(current, refreshMargin(current))) return current;

    const timer = timeoutSignal(requestTimeoutMs);
    let res;
    try {
      res = await fetch(url(PATHS.refresh), {
        method: 'POST',
        credentials,
        headers: { Accept: 'application/json' },
        signal: timer.signal,
      });
    } catch (err) {
      if (myEpoch !== epoch) throw new AuthError('logged_out');
      throw new TransientError('The server could not be reached.', { cause: err });
    } finally {
      timer.cancel();
    }

    if (res.status === 200) {
      const body = await readBody(res);
      if (myEpoch !== epoch) {
        // A logout happened while the refresh was in flight: it wins. The
        // server has just rotated the cookie, so log that one out too (unless
        // a new login has happened since, whose cookie must stay).
        if (store.get() === null) sendLogoutBeacon();
        throw new AuthError('logged_out');
      }
      if (!body || typeof body.access !== 'string') {
        throw new TransientError('The server sent an unexpected answer.', { status: 200 });
      }
      store.set(body.access, { expiresIn: body.expires_in, serverDate: header(res, 'Date') });
      return body.access;
    }

    const body = await readBody(res);
    if (myEpoch !== epoch) throw new AuthError('logged_out');
    if (res.status === 401) {
      endSession('session_expired');
      throw new AuthError('session_expired');
    }
    const retryAfterMs = parseRetryAfter(header(res, 'Retry-After'), clock.now());
    if (res.status === 429 || res.status >= 500 || res.status === 408) {
      throw new TransientError(
        res.status === 429 ? 'Too many requests; slowing down.' : 'The server is temporarily unavailable.',
        { status: res.status, retryAfterMs },
      );
    }
    throw new ApiError(res.status, body, { retryAfterMs });
  }

  async function refreshFlow(stale, myEpoch) {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const token = await withLock(() => refreshAttempt(stale, myEpoch));
        status({ state: 'ok' });
        return token;
      } catch (err) {
        if (!(err instanceof TransientError)) throw err;
        if (myEpoch !== epoch) throw new AuthError('logged_out');
        if (attempt >= maxAttempts) {
          status({ state: 'offline', attempt, error: err });
          throw err;
        }
        const delayMs = backoffDelay(attempt, { initialMs, maxMs, random, retryAfterMs: err.retryAfterMs });
        status({ state: 'retrying', attempt, delayMs, error: err });
        await waitOrWake(delayMs);
        if (myEpoch !== epoch) throw new AuthError('logged_out');
      }
    }
  }

  let wake = null; // resolves the retry wait in progress, if any

  /** The backoff wait, ended early by retryNow() (back online, tab shown again). */
  function waitOrWake(ms) {
    const woken = new Promise((resolve) => {
      wake = resolve;
    });
    return Promise.race([wait(ms), woken]).finally(() => {
      wake = null;
    });
  }

  /** Retry a waiting refresh at once; no-op when nothing waits. */
  function retryNow() {
    if (wake) wake();
  }

  /** Refresh once per tab at a time; concurrent callers share the result. */
  function refreshSingleFlight(stale) {
    if (!inflight) {
      const p = refreshFlow(stale, epoch).finally(() => {
        if (inflight === p) inflight = null;
      });
      inflight = p;
    }
    return inflight;
  }

  /** A token fit to send now (refreshed first if it expires within the margin). */
  async function freshToken() {
    const token = store.get();
    if (!token) throw new AuthError('not_authenticated');
    if (!store.isExpiring(token, refreshMargin(token))) return token;
    return refreshSingleFlight(token);
  }

  // ---- requests ------------------------------------------------------------

  function buildInit({ method = 'GET', body, headers = {}, credentials: mode = credentials } = {}, token) {
    const h = { Accept: 'application/json', ...headers };
    const init = { method, headers: h, credentials: mode };
    if (body !== undefined) {
      h['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    if (token) h.Authorization = `Bearer ${token}`;
    return init;
  }

  async function send(path, options, token) {
    try {
      return await fetch(url(path), buildInit(options, token));
    } catch (err) {
      throw new TransientError('The server could not be reached.', { cause: err });
    }
  }

  async function finish(res) {
    const body = await readBody(res);
    if (res.ok) return body;
    const retryAfterMs = parseRetryAfter(header(res, 'Retry-After'), clock.now());
    if (res.status >= 500) {
      const ours = isJson(res) && body && typeof body.detail === 'string' && body.detail ? body : null;
      throw new TransientError(ours ? ours.detail : 'The server is temporarily unavailable.', {
        status: res.status,
        retryAfterMs,
        detail: ours ? ours.detail : null,
        code: ours && typeof ours.code === 'string' ? ours.code : null,
      });
    }
    throw new ApiError(res.status, body, { retryAfterMs });
  }

  /**
   * Secured request (Bearer token, intercepted). Resolves with the parsed body
   * (null for 204); rejects with ApiError, AuthError or TransientError.
   */
  async function request(path, options = {}, { reauthenticated = false } = {}) {
    const myEpoch = epoch;
    const res = await sendSecured(path, options);
    try {
      return await finish(res);
    } catch (err) {
      const needsReauth = err instanceof ApiError && err.status === 403 && err.code === 'reauthentication_required';
      if (!needsReauth || reauthenticated || !onReauthRequired) throw err;
      const confirmed = await onReauthRequired(err);
      if (myEpoch !== epoch) throw new AuthError('logged_out');
      if (!confirmed) throw err;
      return request(path, options, { reauthenticated: true });
    }
  }

  /** Send with a fresh token; a 401 refreshes (or takes another tab's new token) and sends once more. */
  async function sendSecured(path, options) {
    const myEpoch = epoch;
    let token = await freshToken();
    let res = await send(path, options, token);
    if (res.status === 401) {
      if (myEpoch !== epoch) throw new AuthError('logged_out');
      const current = store.get();
      if (current === null) throw new AuthError('logged_out');
      token = current === token ? await refreshSingleFlight(token) : current;
      res = await send(path, options, token);
    }
    return res;
  }

  /**
   * The refresh-aware `fetch`: `init` as for the browser's fetch, with the
   * access token in `Authorization` (fresh: refreshed first when about to
   * expire). A 401 is sent once more with a newer token; a 403
   * `reauthentication_required` asks `onReauthRequired` and, confirmed, sends
   * once more. Both replays need a body that can be sent twice (a string,
   * FormData, Blob, URLSearchParams or none): with a stream, the answer is
   * returned as it came. Resolves with the Response whatever its status;
   * rejects with AuthError when signed out (or the session ended meanwhile),
   * TransientError when nothing answered, and the caller's own AbortError.
   */
  async function authorizedFetch(target, init = {}, { credentials: mode = credentials, reauthenticated = false } = {}) {
    const myEpoch = epoch;
    const replayable = isReplayable(init.body);
    async function attempt(token) {
      const headers = new Headers(init.headers || {});
      headers.set('Authorization', `Bearer ${token}`);
      try {
        return await fetch(target, { ...init, headers, credentials: mode });
      } catch (err) {
        if (err && err.name === 'AbortError' && init.signal && init.signal.aborted) throw err;
        throw new TransientError('The server could not be reached.', { cause: err });
      }
    }
    let token = await freshToken();
    let res = await attempt(token);
    if (res.status === 401 && replayable) {
      if (myEpoch !== epoch) throw new AuthError('logged_out');
      const current = store.get();
      if (current === null) throw new AuthError('logged_out');
      token = current === token ? await refreshSingleFlight(token) : current;
      res = await attempt(token);
    }
    if (res.status === 403 && replayable && !reauthenticated && onReauthRequired && isJson(res)) {
      const body = await res.clone().json().catch(() => null);
      if (body && body.code === 'reauthentication_required') {
        const confirmed = await onReauthRequired(new ApiError(403, body));
        if (myEpoch !== epoch) throw new AuthError('logged_out');
        if (confirmed) return authorizedFetch(target, init, { credentials: mode, reauthenticated: true });
      }
    }
    return res;
  }

  /**
   * Confirm it's you again, with the password (a string or `{password}`), a
   * second-factor code (`{code}`) or a passkey's `{credential}`; this
   * session's new access token counts as a recent authentication.
   */
  async function reauthenticate(proof) {
    const proofBody = typeof proof === 'string' ? { password: proof } : proof;
    const res = await sendSecured(PATHS.reauthenticate, { method: 'POST', body: proofBody });
    const body = await finish(res);
    if (!body || typeof body.access !== 'string') throw new ApiError(res.status, body);
    store.set(body.access, { expiresIn: body.expires_in, serverDate: header(res, 'Date') });
  }

  /** Public (unauthenticated) request, never intercepted. */
  async function publicRequest(path, options = {}) {
    const res = await send(path, options, null);
    return { res, body: await finish(res) };
  }

  /**
   * POST a JSON body without the access token, even when signed in: a request
   * that must not be tied to this tab's session (a silent sign-in or a sign-out
   * asked by an application while the browser is signed out). Through the same
   * fetch as every other call, so it carries what the app adds (its language).
   * Resolves with the parsed body; rejects with ApiError or TransientError.
   */
  async function postAnonymously(path, body) {
    return (await publicRequest(path, { method: 'POST', body })).body;
  }

  // ---- API surface ---------------------------------------------------------

  /**
   * `remember: false` asks for a refresh cookie that ends with the browser session.
   * Resolves with the user, or with a SecondStepRequired when the account has a
   * second factor (the server remembers `remember` for the second step).
   */
  async function login(username, password, { remember = true } = {}) {
    const { res, body } = await publicRequest(PATHS.login, {
      method: 'POST',
      body: { username, password, remember },
    });
    if (res.status === 202 && body && body.mfa_required && typeof body.mfa_token === 'string') {
      return new SecondStepRequired(body);
    }
    return startSession(res, body);
  }

  /**
   * The code (TOTP or recovery code) after a password answered SecondStepRequired. `trustDevice`:
   * this browser's password logins of the account skip the second step from now on (an HttpOnly cookie).
   */
  async function loginSecondStep(mfaToken, code, { trustDevice = false } = {}) {
    const { res, body } = await publicRequest(PATHS.loginMfa, {
      method: 'POST',
      body: { mfa_token: mfaToken, code, trust_device: !!trustDevice },
    });
    return startSession(res, body);
  }

  /** WebAuthn options for a passkey as the second step of the attempt `mfaToken`. */
  async function loginSecondStepPasskeyOptions(mfaToken) {
    const { body } = await publicRequest(PATHS.loginMfaPasskeyOptions, { method: 'POST', body: { mfa_token: mfaToken } });
    return body;
  }

  /** A passkey's answer to `loginSecondStepPasskeyOptions(mfaToken)` completes the login. */
  async function loginSecondStepWithPasskey(mfaToken, credential, { trustDevice = false } = {}) {
    const { res, body } = await publicRequest(PATHS.loginMfa, {
      method: 'POST',
      body: { mfa_token: mfaToken, credential, trust_device: !!trustDevice },
    });
    return startSession(res, body);
  }

  /**
   * Sign in with the code mailed by `requestLoginCode(email)`. Resolves like `login`:
   * the user, or a SecondStepRequired when the account has a second factor.
   */
  async function loginWithCode(email, code, { remember = true } = {}) {
    const { res, body } = await publicRequest(PATHS.loginCodeConfirm, {
      method: 'POST',
      body: { email, code, remember },
    });
    if (res.status === 202 && body && body.mfa_required && typeof body.mfa_token === 'string') {
      return new SecondStepRequired(body);
    }
    return startSession(res, body);
  }

  /** Sign in with a passkey's answer to `passkeyLoginOptions()`; the same session as a login. */
  async function loginWithPasskey(credential, { remember = true } = {}) {
    const { res, body } = await publicRequest(PATHS.passkeyLogin, {
      method: 'POST',
      body: { credential, remember },
    });
    return startSession(res, body);
  }

  function startSession(res, body) {
    if (!body || typeof body.access !== 'string') throw new ApiError(res.status, body);
    epoch += 1; // a new session: nothing from before may land on it
    inflight = null;
    store.set(body.access, { expiresIn: body.expires_in, serverDate: header(res, 'Date') });
    loggedIn = true;
    status({ state: 'ok' });
    return body.user || null;
  }

  async function register({ username, email, password }) {
    const { body } = await publicRequest(PATHS.register, {
      method: 'POST',
      body: { username, email, password },
    });
    return body;
  }

  // The server's password rules (its validators' help texts): asked once per
  // page load, and again after a failure.
  let rules = null;
  function passwordRules() {
    if (!rules) {
      rules = publicRequest(PATHS.passwordRules).then(({ body }) =>
        body && Array.isArray(body.rules) ? body.rules.filter((rule) => typeof rule === 'string') : [],
      );
      rules.catch(() => {
        rules = null;
      });
    }
    return rules;
  }

  /** Log out of this browser. The local logout happens at once and wins. */
  async function logout() {
    endSession('logout');
    try {
      await fetch(url(PATHS.logout), { method: 'POST', credentials });
    } catch {
      /* the token is gone locally; the cookie expires on its own */
    }
  }

  async function logoutAll() {
    await request(PATHS.logoutAll, { method: 'POST' });
    endSession('logout_all');
    try {
      await fetch(url(PATHS.logout), { method: 'POST', credentials });
    } catch {
      /* ignore */
    }
  }

  /** Delete the account (needs a recent authentication, with a second factor while one is on); then signed out. */
  async function deleteAccount() {
    await request(PATHS.me, { method: 'DELETE' });
    endSession('account_deleted');
  }

  return {
    request,
    authorizedFetch,
    login,
    loginSecondStep,
    loginSecondStepPasskeyOptions,
    loginSecondStepWithPasskey,
    register,
    logout,
    logoutAll,
    me: () => request(PATHS.me),
    /** Change any of username (needs a recent authentication), first_name, last_name, language; resolves with the user. */
    updateProfile: (changes) => request(PATHS.me, { method: 'PATCH', body: changes }),
    /** End every other session of the account; this one stays. */
    logoutOthers: () => request(PATHS.logoutOthers, { method: 'POST' }),
    /** Everything kept about the account, as one object (needs a recent authentication). */
    exportData: () => request(PATHS.exportData),
    deleteAccount,
    sessions: () => request(PATHS.sessions),
    /** The user's own security events, newest first; `pageQuery` is the "?cursor=…" of a `next` link (or empty). */
    activity: (pageQuery = '') => request(PATHS.activity + pageQuery),
    /** The password rules the server checks, as sentences (public). */
    passwordRules,
    /** What this server offers (public): {signup, password_reset, passkeys, login_by_code, email_verification}. */
    config: async () => (await publicRequest(PATHS.config)).body,
    revokeSession: (id) => request(`${PATHS.sessions}${encodeURIComponent(id)}/`, { method: 'DELETE' }),
    /** The browsers trusted to skip the second step (GET /api/auth/trusted-devices/). */
    trustedDevices: () => request(PATHS.trustedDevices),
    removeTrustedDevice: (id) => request(`${PATHS.trustedDevices}${encodeURIComponent(id)}/`, { method: 'DELETE' }),
    /** Ask for a reset link (202 whether or not the address is known). */
    requestPasswordReset: async (email) =>
      (await publicRequest(PATHS.passwordReset, { method: 'POST', body: { email } })).body,
    /** Mail a sign-in code to the address (202 whether or not an account has it). */
    requestLoginCode: async (email) =>
      (await publicRequest(PATHS.loginCode, { method: 'POST', body: { email } })).body,
    loginWithCode,
    /** Set a new password with the token from a reset link (204). */
    confirmPasswordReset: async (token, newPassword) =>
      (await publicRequest(PATHS.passwordResetConfirm, { method: 'POST', body: { token, new_password: newPassword } })).body,
    /** The username a reset link's token is for (400 token_invalid for any other token). */
    passwordResetAccount: async (token) =>
      (await publicRequest(PATHS.passwordResetAccount, { method: 'POST', body: { token } })).body,
    /** Use a link from a verification or change-of-address mail (204). */
    verifyEmail: async (token) =>
      (await publicRequest(PATHS.emailVerify, { method: 'POST', body: { token } })).body,
    /** Ask for a new verification link (202 whatever the address). */
    resendVerification: async (email) =>
      (await publicRequest(PATHS.emailVerifyResend, { method: 'POST', body: { email } })).body,
    /** Mail a confirmation link to a new address (202); needs a recent authentication. */
    changeEmail: (newEmail, password) =>
      request(PATHS.emailChange, { method: 'POST', body: { new_email: newEmail, password } }),
    changePassword: (currentPassword, newPassword) =>
      request(PATHS.password, {
        method: 'POST',
        body: { current_password: currentPassword, new_password: newPassword },
      }),
    /** Second factors: what the account has (dates and counts). */
    mfaStatus: () => request(PATHS.mfa),
    /** Start enrolling an authenticator app: {secret, otpauth_uri, qr_svg} (needs a recent authentication). */
    startTotp: () => request(PATHS.totp, { method: 'POST' }),
    /** Confirm the app with its first code: {recovery_codes} (shown once). */
    confirmTotp: (code) => request(PATHS.totpConfirm, { method: 'POST', body: { code } }),
    removeTotp: () => request(PATHS.totp, { method: 'DELETE' }),
    /** A new set of recovery codes; the old set stops working. */
    regenerateRecoveryCodes: () => request(PATHS.recoveryCodes, { method: 'POST' }),
    /** Staff user list; `pageQuery` is a query string like "?page=2" (or empty). */
    users: (pageQuery = '') => request(PATHS.users + pageQuery),
    postAnonymously,
    /** Refresh now (if still needed after taking the lock). */
    refresh: () => {
      const token = store.get();
      if (!token) return Promise.reject(new AuthError('not_authenticated'));
      return refreshSingleFlight(token);
    },
    retryNow,
    reauthenticate,
    // Passkeys: the options are WebAuthn JSON, `credential` the browser's answer as JSON (webauthn.js).
    loginWithPasskey,
    passkeyLoginOptions: async () => (await publicRequest(PATHS.passkeyLoginOptions, { method: 'POST' })).body,
    passkeys: () => request(PATHS.passkeys),
    passkeyRegistrationOptions: () => request(PATHS.passkeyOptions, { method: 'POST' }),
    registerPasskey: (credential, name) => request(PATHS.passkeys, { method: 'POST', body: { credential, name } }),
    renamePasskey: (id, name) => request(`${PATHS.passkeys}${encodeURIComponent(id)}/`, { method: 'PATCH', body: { name } }),
    removePasskey: (id) => request(`${PATHS.passkeys}${encodeURIComponent(id)}/`, { method: 'DELETE' }),
    passkeyReauthenticationOptions: () => request(PATHS.passkeyReauthOptions, { method: 'POST' }),
    reauthenticateWithPasskey: (credential) => reauthenticate({ credential }),
    isLoggedIn: () => !!store.get(),
    dispose: () => unsubscribe(),
  };
}

/** A sentence a person can act on, for any error the client throws. */
export function errorMessage(err) {
  if (err instanceof AuthError) return 'Your session has ended. Please sign in again.';
  if (err instanceof TransientError) {
    if (err.status === 429) return 'Too many requests right now. Please wait a moment and try again.';
    // Gatehouse answered and said why (e.g. "Passkeys are not set up on this server"): that, not "can't be reached".
    if (err.detail) return err.detail;
    return 'Gatehouse can’t be reached right now. Check your connection and try again.';
  }
  if (err instanceof ApiError) {
    if (err.status === 429) {
      const secs = err.retryAfterMs ? Math.ceil(err.retryAfterMs / 1000) : null;
      if (!secs) return 'Too many attempts. Try again shortly.';
      return `Too many attempts. Try again in ${secs} ${secs === 1 ? 'second' : 'seconds'}.`;
    }
    if (err.status === 403) return err.detail || 'You don’t have permission to do that.';
    return err.detail || 'Something went wrong.';
  }
  return 'Something went wrong. Please try again.';
}
