// The Gatehouse browser client: one call wires the token store, the
// refresh-aware API client and passkeys to the browser (or to what the caller
// injects), for a page served by Gatehouse itself or by another origin of the
// same site. No framework and no dependency: the bundled app (main.js) uses
// this same function.

import { createApiClient, REFRESH_LOCK } from './api.js';
import { createTokenStore, TOKEN_KEY } from './token-store.js';
import { createWebAuthn } from './webauthn.js';

export { ApiError, AuthError, TransientError, SecondStepRequired, REFRESH_LOCK, errorMessage, parseRetryAfter, createApiClient } from './api.js';
export { createTokenStore, decodeJwt, TOKEN_KEY, META_KEY } from './token-store.js';
export { BACKOFF, backoffDelay } from './backoff.js';
export { createWebAuthn, ceremonyErrorMessage } from './webauthn.js';
export { keepFresh } from './keep-fresh.js';

const g = globalThis;

/** The page's localStorage, or a per-tab memory store when storage is disabled. */
function defaultStorage() {
  try {
    const storage = g.localStorage;
    storage.getItem('access_token');
    return storage;
  } catch {
    const memory = new Map();
    return {
      getItem: (key) => (memory.has(key) ? memory.get(key) : null),
      setItem: (key, value) => memory.set(key, String(value)),
      removeItem: (key) => memory.delete(key),
    };
  }
}

function isLocalStorage(storage) {
  try {
    return storage === g.localStorage;
  } catch {
    return false; // storage disabled: reading localStorage throws
  }
}

const defaultClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => g.setTimeout(fn, ms),
  clearTimeout: (id) => g.clearTimeout(id),
};

/** `https://auth.example.com/` → `https://auth.example.com`; '' stays '' (the page's own origin). */
function originOf(url, what) {
  if (!url) return '';
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`createGatehouseClient: ${what} must be an absolute http(s) URL, got ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new TypeError(`createGatehouseClient: ${what} must be an http(s) URL, got ${JSON.stringify(url)}`);
  }
  return parsed.origin;
}

/**
 * @param {object} [options]
 * @param {string} [options.baseUrl] Gatehouse's origin (`https://auth.example.com`); '' when Gatehouse serves the page
 * @param {Storage} [options.storage] where the access token lives (default localStorage, shared by the tabs)
 * @param {string} [options.storageKey] the token's key in `storage` (default TOKEN_KEY, 'access_token'; its
 *   metadata beside it under key + '_meta'): one of its own for each client on one origin
 * @param {string[]} [options.apiOrigins] other origins `fetch` may send the access token to (your API's);
 *   Gatehouse's origin and the page's own are always allowed, any other URL is refused
 * @param {typeof fetch} [options.fetch] default the page's fetch
 * @param {LockManager|null} [options.locks] default navigator.locks (none: each tab refreshes on its own)
 * @param {CredentialsContainer|null} [options.credentialsContainer] default navigator.credentials (passkeys)
 * @param {{now(): number, setTimeout: Function, clearTimeout: Function}} [options.clock]
 * @param {(handler: (event: StorageEvent) => void) => () => void} [options.listen] storage events of other tabs
 *   (default: the window's `storage` events when `storage` is localStorage)
 * @param {(err: import('./api.js').ApiError) => Promise<boolean>} [options.onReauthRequired]
 * @param {(info: object) => void} [options.onStatus]
 * @param {number} [options.marginMs]
 * @param {number} [options.lockTimeoutMs]
 * @param {number} [options.requestTimeoutMs]
 * @param {{initialMs?: number, maxMs?: number, maxAttempts?: number}} [options.backoff]
 */
export function createGatehouseClient({
  baseUrl = '',
  storage,
  storageKey = TOKEN_KEY,
  apiOrigins = [],
  fetch: fetchImpl,
  locks,
  credentialsContainer,
  clock = defaultClock,
  listen,
  onReauthRequired = null,
  onStatus,
  ...tuning
} = {}) {
  const gatehouse = originOf(baseUrl, 'baseUrl');
  if (typeof storageKey !== 'string' || !storageKey) {
    throw new TypeError(`createGatehouseClient: storageKey must be a non-empty string, got ${JSON.stringify(storageKey)}`);
  }
  const allowed = new Set(apiOrigins.map((origin) => originOf(origin, 'apiOrigins')));
  const pageOrigin = g.location && typeof g.location.origin === 'string' && g.location.origin !== 'null' ? g.location.origin : '';
  const here = gatehouse || pageOrigin;
  if (here) allowed.add(here);
  if (pageOrigin) allowed.add(pageOrigin);
  // Another origin than the page's: the refresh cookie goes only with credentials 'include'.
  const credentials = gatehouse && gatehouse !== pageOrigin ? 'include' : 'same-origin';

  const theFetch = fetchImpl || ((...args) => g.fetch(...args));
  const theStorage = storage || defaultStorage();
  const listenTo =
    listen ||
    (g.addEventListener && (!storage || isLocalStorage(storage))
      ? (handler) => {
          g.addEventListener('storage', handler);
          return () => g.removeEventListener('storage', handler);
        }
      : undefined);

  const ended = new Set();
  const statusListeners = new Set(onStatus ? [onStatus] : []);
  const store = createTokenStore({ storage: theStorage, clock, listen: listenTo, key: storageKey });
  const api = createApiClient({
    fetch: theFetch,
    store,
    clock,
    locks: locks === undefined ? (g.navigator && g.navigator.locks) || null : locks,
    // Tabs of one client take turns; another client's refresh (another token) is none of its business.
    lockName: storageKey === TOKEN_KEY ? REFRESH_LOCK : `${REFRESH_LOCK}:${storageKey}`,
    baseUrl: gatehouse,
    credentials,
    onReauthRequired: (err) => (onReauthRequired ? onReauthRequired(err) : Promise.resolve(false)),
    onLogout: (info) => {
      for (const callback of [...ended]) {
        try {
          callback(info);
        } catch (error) {
          queueMicrotask(() => {
            throw error;
          });
        }
      }
    },
    onStatus: (info) => {
      for (const callback of [...statusListeners]) callback(info);
    },
    ...tuning,
  });
  const container =
    credentialsContainer === undefined ? (g.navigator && g.navigator.credentials) || null : credentialsContainer;
  const webauthn = createWebAuthn({
    credentials: container,
    supported: typeof g.PublicKeyCredential === 'function' || (credentialsContainer !== undefined && !!container),
    publicKeyCredential: typeof g.PublicKeyCredential === 'function' ? g.PublicKeyCredential : null,
  });

  /** The URL a `fetch(path)` goes to; a TypeError when the token must not go there. */
  function target(path) {
    if (typeof path !== 'string' || !path) throw new TypeError('fetch: path must be a non-empty string');
    if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('//')) {
      const origin = new URL(path).origin;
      if (!allowed.has(origin)) {
        throw new TypeError(`fetch: ${origin} is not Gatehouse, this page or one of apiOrigins; the access token stays here`);
      }
      return path;
    }
    if (!path.startsWith('/')) throw new TypeError('fetch: a path starts with / (it is Gatehouse\'s) or is a full URL');
    return gatehouse + path;
  }

  function credentialsFor(url) {
    const origin = url.startsWith('/') ? here : new URL(url).origin;
    return origin === gatehouse ? credentials : 'same-origin';
  }

  return {
    /**
     * Password sign-in. Resolves with the user, or a SecondStepRequired (`mfaToken`, `methods`) when the
     * account has a second factor: then `loginSecondStep` or `loginSecondStepWithPasskey`.
     */
    login: ({ username, password, remember = true } = {}) => api.login(username, password, { remember }),
    loginSecondStep: ({ mfaToken, code, trustDevice = false } = {}) => api.loginSecondStep(mfaToken, code, { trustDevice }),
    loginSecondStepWithPasskey: async ({ mfaToken, trustDevice = false } = {}) =>
      api.loginSecondStepWithPasskey(mfaToken, await webauthn.get(await api.loginSecondStepPasskeyOptions(mfaToken)), {
        trustDevice,
      }),
    /** Sign in with a passkey (the browser's dialog); resolves with the user. */
    loginWithPasskey: async ({ remember = true } = {}) =>
      api.loginWithPasskey(await webauthn.get(await api.passkeyLoginOptions()), { remember }),
    /** Mail a one-time code, then `loginWithCode`; resolves like `login`. */
    requestLoginCode: (email) => api.requestLoginCode(email),
    loginWithCode: ({ email, code, remember = true } = {}) => api.loginWithCode(email, code, { remember }),
    /** Log this browser out; the local logout happens at once, in every tab. */
    logout: () => api.logout(),
    /** The refresh-aware fetch: resolves with the Response (see createApiClient's authorizedFetch). */
    fetch: async (path, init = {}) => {
      const url = target(path); // a refused URL rejects, as the browser's fetch does
      return api.authorizedFetch(url, init, { credentials: credentialsFor(url) });
    },
    /** `fetch`, then the JSON body; rejects with ApiError, AuthError or TransientError. */
    request: async (path, options = {}) => {
      const url = target(path);
      return api.request(url, { ...options, credentials: credentialsFor(url) });
    },
    /** Confirm it's you: the password (a string), `{code}`, or `{passkey: true}` for the browser's passkey dialog. */
    reauthenticate: async (proof) =>
      proof && proof.passkey
        ? api.reauthenticateWithPasskey(await webauthn.get(await api.passkeyReauthenticationOptions()))
        : api.reauthenticate(proof),
    /** Register a passkey for the signed-in account (needs a recent authentication). */
    addPasskey: async (name) => api.registerPasskey(await webauthn.create(await api.passkeyRegistrationOptions()), name),
    /** `callback({reason})` when the session ends: 'logout', 'session_expired', 'elsewhere' (another tab), …; returns its stop. */
    onSessionEnded: (callback) => {
      ended.add(callback);
      return () => ended.delete(callback);
    },
    /** `callback({state: 'retrying'|'offline'|'ok', …})` while Gatehouse cannot be reached; returns its stop. */
    onStatus: (callback) => {
      statusListeners.add(callback);
      return () => statusListeners.delete(callback);
    },
    isLoggedIn: () => api.isLoggedIn(),
    /** The signed-in user (`GET /api/auth/me/`). */
    me: () => api.me(),
    /** Refresh now (a no-op when another tab just did); `retryNow` ends a backoff wait early (back online). */
    refresh: () => api.refresh(),
    retryNow: () => api.retryNow(),
    passkeysSupported: webauthn.supported,
    /** Everything else: the full API client, the token store and the WebAuthn wrapper. */
    api,
    store,
    webauthn,
    dispose: () => {
      api.dispose();
      store.dispose();
      ended.clear();
      statusListeners.clear();
    },
  };
}
