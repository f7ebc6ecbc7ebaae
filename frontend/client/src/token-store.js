// Access-token store: the raw JWT lives in storage under "access_token" (or
// the key the caller names: two clients on one origin each have their own).
//
// Everything the interceptor needs to judge expiry is derived from the token
// and the server's clock, never from the browser's clock alone:
//   offset    = server time at receipt - local time at receipt
//               (from the Date header or the token's iat, whichever is later)
//   expiresAt = exp claim (server time), or server receipt time + expires_in
// The offset is a property of this machine's clock, so it is persisted beside
// the token (key "access_token_meta", the token's key + "_meta") and shared
// by every tab.
//
// Dependencies are injected so that the store can be tested without a browser:
//   storage : a Storage-like object (getItem / setItem / removeItem)
//   clock   : { now(): number }  (milliseconds, local clock)
//   listen  : (handler) => unsubscribe; registers a `storage` event handler
//   key     : the token's storage key (default TOKEN_KEY)

export const TOKEN_KEY = 'access_token';
export const META_KEY = 'access_token_meta';

/** Decode the payload of a JWT without verifying it. Returns null if malformed. */
export function decodeJwt(token) {
  if (typeof token !== 'string') return null;
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return null;
  try {
    let b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    b64 += '='.repeat((4 - (b64.length % 4)) % 4);
    const binary = atob(b64);
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const payload = JSON.parse(new TextDecoder().decode(bytes));
    return payload && typeof payload === 'object' && !Array.isArray(payload) ? payload : null;
  } catch {
    return null;
  }
}

// A short fingerprint tying persisted metadata to one token (its signature tail).
function fingerprint(token) {
  return typeof token === 'string' ? token.slice(-16) : '';
}

/**
 * @param {{storage: Storage, clock: {now(): number}, listen?: (h: (e: StorageEvent) => void) => (() => void), key?: string}} deps
 */
export function createTokenStore({ storage, clock, listen, key: tokenKey = TOKEN_KEY } = {}) {
  if (!storage) throw new TypeError('createTokenStore: storage is required');
  if (!clock) throw new TypeError('createTokenStore: clock is required');
  if (typeof tokenKey !== 'string' || !tokenKey) throw new TypeError('createTokenStore: key must be a non-empty string');
  const metaKey = `${tokenKey}_meta`; // META_KEY for the default key

  const subscribers = new Set();

  function safeGet(key) {
    try {
      return storage.getItem(key);
    } catch {
      return null;
    }
  }
  function safeSet(key, value) {
    try {
      storage.setItem(key, value);
    } catch {
      /* storage full or disabled: the tab keeps working until reload */
    }
  }
  function safeRemove(key) {
    try {
      storage.removeItem(key);
    } catch {
      /* ignore */
    }
  }

  function readMeta() {
    const raw = safeGet(metaKey);
    if (!raw) return null;
    try {
      const meta = JSON.parse(raw);
      return meta && typeof meta === 'object' ? meta : null;
    } catch {
      return null;
    }
  }

  let lastSeen = safeGet(tokenKey);

  function emit(token, external) {
    if (token === lastSeen) return;
    lastSeen = token;
    for (const fn of [...subscribers]) {
      try {
        fn(token, { external });
      } catch (err) {
        // A failing subscriber must not break the others.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  /** The current token, read from storage every time (other tabs may have changed it). */
  function get() {
    return safeGet(tokenKey);
  }

  /**
   * Store a token freshly received from the server.
   * @param {string} token raw JWT
   * @param {{expiresIn?: number, serverDate?: string|null}} info
   *   expiresIn: the response's expires_in (seconds); serverDate: its Date header
   */
  function set(token, { expiresIn, serverDate } = {}) {
    if (typeof token !== 'string' || !token) throw new TypeError('token must be a non-empty string');
    const localNow = clock.now();
    const claims = decodeJwt(token);

    let serverNow = null;
    const dateMs = serverDate ? Date.parse(serverDate) : NaN;
    if (Number.isFinite(dateMs)) serverNow = dateMs;
    if (claims && Number.isFinite(claims.iat)) {
      const iatMs = claims.iat * 1000;
      serverNow = serverNow === null ? iatMs : Math.max(serverNow, iatMs);
    }
    const previous = readMeta();
    const offset =
      serverNow !== null ? serverNow - localNow : Number.isFinite(previous?.offset) ? previous.offset : 0;

    let expiresAt = null;
    if (claims && Number.isFinite(claims.exp)) expiresAt = claims.exp * 1000;
    else if (Number.isFinite(expiresIn)) expiresAt = localNow + offset + expiresIn * 1000;

    let lifetime = null;
    if (Number.isFinite(expiresIn)) lifetime = expiresIn * 1000;
    else if (claims && Number.isFinite(claims.exp) && Number.isFinite(claims.iat)) {
      lifetime = (claims.exp - claims.iat) * 1000;
    }

    // Metadata first: another tab reacting to the token's storage event must
    // already find the matching metadata.
    safeSet(metaKey, JSON.stringify({ offset, expiresAt, lifetime, fp: fingerprint(token) }));
    safeSet(tokenKey, token);
    emit(token, false);
  }

  /** Forget the token (logout). The clock offset is kept: it describes the machine. */
  function clear() {
    safeRemove(tokenKey);
    emit(null, false);
  }

  /** Decoded claims of the given (default: current) token, or null. */
  function claims(token = get()) {
    return token ? decodeJwt(token) : null;
  }

  /** Estimated server time now, in milliseconds. */
  function serverNow() {
    const meta = readMeta();
    const offset = Number.isFinite(meta?.offset) ? meta.offset : 0;
    return clock.now() + offset;
  }

  /** Server-clock expiry of a token in ms, or null if unknown. */
  function expiresAt(token = get()) {
    if (!token) return null;
    const c = decodeJwt(token);
    if (c && Number.isFinite(c.exp)) return c.exp * 1000;
    const meta = readMeta();
    if (meta && meta.fp === fingerprint(token) && Number.isFinite(meta.expiresAt)) return meta.expiresAt;
    return null;
  }

  /** Milliseconds the token has left by the server's clock, or null if unknown. */
  function timeLeft(token = get()) {
    const at = expiresAt(token);
    return at === null ? null : at - serverNow();
  }

  /** Lifetime of the current token in ms (for progress displays), or null. */
  function lifetime(token = get()) {
    const meta = readMeta();
    if (meta && meta.fp === fingerprint(token) && Number.isFinite(meta.lifetime)) return meta.lifetime;
    const c = token ? decodeJwt(token) : null;
    if (c && Number.isFinite(c.exp) && Number.isFinite(c.iat)) return (c.exp - c.iat) * 1000;
    return null;
  }

  /**
   * True when the token is missing or expires within marginMs (server clock).
   * A token whose expiry cannot be determined is sent as is; the server's 401
   * and the interceptor's retry are the fallback.
   */
  function isExpiring(token = get(), marginMs = 0) {
    if (!token) return true;
    const left = timeLeft(token);
    return left !== null && left < marginMs;
  }

  /** Subscribe to token changes: fn(token|null, {external}) ; returns unsubscribe. */
  function subscribe(fn) {
    subscribers.add(fn);
    return () => subscribers.delete(fn);
  }

  /** Feed a `storage` event (another tab changed localStorage). */
  function handleStorageEvent(event) {
    if (!event) return;
    if (event.storageArea && event.storageArea !== storage) return;
    if (event.key !== null && event.key !== tokenKey) return;
    emit(get(), true);
  }

  const unlisten = typeof listen === 'function' ? listen(handleStorageEvent) : null;

  function dispose() {
    subscribers.clear();
    if (typeof unlisten === 'function') unlisten();
  }

  return {
    get,
    set,
    clear,
    claims,
    serverNow,
    expiresAt,
    timeLeft,
    lifetime,
    isExpiring,
    subscribe,
    handleStorageEvent,
    dispose,
  };
}
