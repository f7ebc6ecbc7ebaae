// Test doubles for the browser pieces the app modules take as dependencies:
// a manual clock, localStorage shared between "tabs" (with storage events),
// a Web Locks manager, and a fake Gatehouse server behind a fake fetch.

/** Let pending promise callbacks and queued work run. */
export async function flush(rounds = 30) {
  for (let i = 0; i < rounds; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

/** A manual clock. `view(skewMs)` gives a client clock that is off by skewMs. */
export class FakeClock {
  constructor(start = Date.UTC(2030, 0, 15, 12, 0, 0)) {
    this.t = start;
    this.timers = [];
    this.seq = 0;
  }

  now() {
    return this.t;
  }

  setTimeout(fn, ms = 0) {
    const id = ++this.seq;
    this.timers.push({ id, at: this.t + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(id) {
    this.timers = this.timers.filter((t) => t.id !== id);
  }

  /** Move time forward, running due timers in order, settling promises between them. */
  async advance(ms) {
    const end = this.t + ms;
    for (;;) {
      await flush();
      const due = this.timers
        .filter((t) => t.at <= end)
        .sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.t = Math.max(this.t, due.at);
      due.fn();
    }
    this.t = end;
    await flush();
  }

  view(skewMs = 0) {
    return {
      now: () => this.now() + skewMs,
      setTimeout: (fn, ms) => this.setTimeout(fn, ms),
      clearTimeout: (id) => this.clearTimeout(id),
    };
  }
}

/**
 * One origin's localStorage seen from several tabs. `area()` makes a tab's
 * Storage object; writes through one area fire `storage` events (asynchronously,
 * like browsers) in every other area, never in the writer.
 */
export function createSharedStorage() {
  const data = new Map();
  const areas = [];

  function broadcast(source, key, oldValue, newValue) {
    for (const entry of areas) {
      if (entry.area === source) continue;
      const event = { key, oldValue, newValue, storageArea: entry.area };
      queueMicrotask(() => {
        for (const h of [...entry.listeners]) h(event);
      });
    }
  }

  function area() {
    const listeners = new Set();
    const storage = {
      getItem: (k) => (data.has(k) ? data.get(k) : null),
      setItem(k, v) {
        const old = storage.getItem(k);
        data.set(k, String(v));
        broadcast(storage, k, old, String(v));
      },
      removeItem(k) {
        if (!data.has(k)) return;
        const old = data.get(k);
        data.delete(k);
        broadcast(storage, k, old, null);
      },
      clear() {
        data.clear();
        broadcast(storage, null, null, null);
      },
      key: (i) => [...data.keys()][i] ?? null,
      get length() {
        return data.size;
      },
    };
    const listen = (h) => {
      listeners.add(h);
      return () => listeners.delete(h);
    };
    areas.push({ area: storage, listeners });
    return { storage, listen };
  }

  return { area, data };
}

/** A Web Locks manager (exclusive locks, AbortSignal support) shared by tabs. */
export function createFakeLocks() {
  const queues = new Map();
  const held = new Set();
  const stats = { requests: 0, granted: 0 };

  function release(name) {
    held.delete(name);
    const q = queues.get(name) || [];
    const next = q.shift();
    if (next) {
      held.add(name);
      next.grant();
    }
  }

  async function request(name, options, callback) {
    if (typeof options === 'function') {
      callback = options;
      options = {};
    }
    stats.requests += 1;
    const signal = options && options.signal;
    if (signal && signal.aborted) throw signal.reason;
    await new Promise((resolve, reject) => {
      if (!held.has(name)) {
        held.add(name);
        resolve();
        return;
      }
      const waiter = { grant: resolve };
      const q = queues.get(name) || [];
      q.push(waiter);
      queues.set(name, q);
      if (signal) {
        signal.addEventListener(
          'abort',
          () => {
            const i = q.indexOf(waiter);
            if (i >= 0) {
              q.splice(i, 1);
              reject(signal.reason);
            }
          },
          { once: true },
        );
      }
    });
    stats.granted += 1;
    try {
      return await callback({ name, mode: 'exclusive' });
    } finally {
      release(name);
    }
  }

  /** Hold a lock until the returned function is called (a frozen tab). */
  function hold(name) {
    let unfreeze;
    const frozen = new Promise((resolve) => {
      unfreeze = resolve;
    });
    request(name, {}, () => frozen);
    return unfreeze;
  }

  return { request, hold, stats };
}

function b64url(obj) {
  return Buffer.from(JSON.stringify(obj)).toString('base64url');
}

export function makeJwt(payload, signature = 'signature') {
  return `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(payload)}.${signature}`;
}

/** A real Response (what the browser's fetch resolves with), JSON unless body is null. */
export function fakeResponse(status, body = null, headers = {}) {
  const h = new Headers(headers);
  if (body !== null && !h.has('Content-Type')) h.set('Content-Type', 'application/json');
  return new Response(body === null ? null : JSON.stringify(body), { status, headers: h });
}

/**
 * A fake Gatehouse server on the "true" clock. Its fetch() records every call.
 *   server.refreshPlan: answers for the next refresh calls, in order:
 *     'ok' | 'network' | 401 | 429 | 503 | {status, headers}
 *   server.holdRefresh(): the next refresh waits until the returned release() is called
 *   server.rejectToken(token): that access token gets 401 from now on
 *   server.needsRecentAuth: paths that answer 403 reauthentication_required to a token
 *     not issued by POST /api/auth/reauthenticate/ (password "pw", or the TOTP code when server.mfa is set)
 *   server.mfa: null, or {code, recoveryCodes: Set}: the account has a second factor; a login
 *     answers 202 with an mfa_token, /api/auth/login/mfa/ takes the code (once) or a recovery code (once)
 *   server.passwordRules, server.rulesFailures: GET /api/auth/password-rules/ (public)
 */
export function createFakeServer(clock, { ttl = 300, user = null } = {}) {
  let seq = 0;
  const rejected = new Set();
  const theUser = user || {
    id: 1,
    username: 'alice',
    email: 'alice@example.com',
    is_staff: false,
    date_joined: '2030-01-01T00:00:00Z',
  };
  const server = {
    ttl,
    calls: [],
    refreshCalls: 0,
    logoutCalls: 0,
    expiredSeen: 0, // secured requests that arrived with an expired token
    refreshPlan: [],
    sessionRevoked: false,
    rejectAll: false,
    gates: [],
    needsRecentAuth: new Set(),
    recentTokens: new Set(),
    reauthCalls: 0,
    mfa: null,
    mfaTokens: new Map(), // token -> {used, remember}
    lastLoginBody: null,
    passwordRules: ['Your password must contain at least 10 characters.', 'Your password can’t be entirely numeric.'],
    rulesFailures: 0, // the next password-rules requests that fail with a network error
    issue() {
      seq += 1;
      const iat = Math.floor(clock.now() / 1000);
      return makeJwt(
        { token_type: 'access', user_id: theUser.id, sid: 'sid-1', jti: `jti-${seq}`, iat, exp: iat + ttl },
        `sig-${String(seq).padStart(12, '0')}`,
      );
    },
    holdRefresh() {
      let release;
      const gate = new Promise((resolve) => {
        release = resolve;
      });
      server.gates.push(gate);
      return release;
    },
    rejectToken(token) {
      rejected.add(token);
    },
    /** Whether `code` is the TOTP code not yet used, or an unused recovery code (and spend it). */
    spendCode(code) {
      if (!server.mfa) return false;
      if (code === server.mfa.code && !server.mfa.codeUsed) {
        server.mfa.codeUsed = true;
        return true;
      }
      return server.mfa.recoveryCodes ? server.mfa.recoveryCodes.delete(code) : false;
    },
    refreshes() {
      return server.calls.filter((c) => c.path === '/api/auth/refresh/');
    },
    secured() {
      return server.calls.filter((c) => !c.path.startsWith('/api/auth/refresh') && !c.path.startsWith('/api/auth/log'));
    },
    dateHeader() {
      return new Date(clock.now()).toUTCString();
    },
    fetch: async (url, init = {}) => {
      const path = String(url).replace(/^https?:\/\/[^/]+/, '');
      const headers = new Headers(init.headers || {});
      const auth = headers.get('Authorization');
      const call = {
        url: String(url),
        path,
        method: init.method || 'GET',
        credentials: init.credentials,
        auth,
        token: auth ? auth.replace(/^Bearer /, '') : null,
        body: init.body,
      };
      server.calls.push(call);
      const date = { Date: server.dateHeader(), 'Cache-Control': 'no-store' };

      if (path === '/api/auth/login/') {
        server.lastLoginBody = JSON.parse(init.body || '{}');
        if (server.mfa) {
          const mfaToken = `mfa-${server.mfaTokens.size + 1}`;
          server.mfaTokens.set(mfaToken, { used: false, remember: server.lastLoginBody.remember });
          return fakeResponse(
            202,
            { mfa_required: true, mfa_token: mfaToken, methods: ['totp', 'recovery_code'], expires_in: 300 },
            date,
          );
        }
        const access = server.issue();
        return fakeResponse(200, { access, token_type: 'Bearer', expires_in: ttl, user: theUser }, date);
      }
      if (path === '/api/auth/login/mfa/') {
        const { mfa_token: mfaToken, code } = JSON.parse(init.body || '{}');
        const pending = server.mfaTokens.get(mfaToken);
        if (!pending || pending.used) {
          return fakeResponse(401, { detail: 'This sign-in has expired.', code: 'mfa_token_invalid' }, date);
        }
        if (!server.spendCode(code)) {
          return fakeResponse(401, { detail: 'That code is not right.', code: 'code_invalid' }, date);
        }
        pending.used = true;
        const access = server.issue();
        return fakeResponse(200, { access, token_type: 'Bearer', expires_in: ttl, user: theUser }, date);
      }
      if (path === '/api/auth/password-rules/') {
        if (server.rulesFailures > 0) {
          server.rulesFailures -= 1;
          throw new TypeError('Failed to fetch');
        }
        return fakeResponse(200, { rules: server.passwordRules }, date);
      }
      if (path === '/api/auth/logout/') {
        server.logoutCalls += 1;
        return fakeResponse(204, null, date);
      }
      if (path === '/api/auth/refresh/') {
        server.refreshCalls += 1;
        const gate = server.gates.shift();
        if (gate) await gate;
        const plan = server.refreshPlan.length ? server.refreshPlan.shift() : 'ok';
        if (plan === 'network') throw new TypeError('Failed to fetch');
        if (server.sessionRevoked || plan === 401) {
          return fakeResponse(401, { detail: 'Refresh token invalid.', code: 'refresh_invalid' }, date);
        }
        if (typeof plan === 'number') {
          return fakeResponse(plan, { detail: 'Unavailable', code: 'unavailable' }, date);
        }
        if (plan && typeof plan === 'object') {
          return fakeResponse(plan.status, { detail: 'x', code: 'x' }, { ...date, ...(plan.headers || {}) });
        }
        const access = server.issue();
        return fakeResponse(200, { access, token_type: 'Bearer', expires_in: ttl }, date);
      }
      // Secured routes.
      const token = call.token;
      let valid = false;
      if (token && !rejected.has(token) && !server.rejectAll && !server.sessionRevoked) {
        try {
          const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
          valid = payload.exp * 1000 > clock.now();
          if (!valid) server.expiredSeen += 1;
        } catch {
          valid = false;
        }
      }
      if (!valid) {
        return fakeResponse(
          401,
          { detail: 'Authentication credentials were not provided or are invalid.', code: 'not_authenticated' },
          { ...date, 'WWW-Authenticate': 'Bearer' },
        );
      }
      if (path === '/api/auth/reauthenticate/') {
        server.reauthCalls += 1;
        const { password, code } = JSON.parse(init.body || '{}');
        if (code !== undefined && !server.spendCode(code)) {
          return fakeResponse(400, { detail: 'That code is not right.', code: 'code_invalid' }, date);
        }
        if (code === undefined && password !== 'pw') {
          return fakeResponse(400, { detail: 'Your password is not correct.', code: 'invalid', fields: { password: ['Your password is not correct.'] } }, date);
        }
        const access = server.issue();
        server.recentTokens.add(access);
        return fakeResponse(200, { access, token_type: 'Bearer', expires_in: ttl }, date);
      }
      if (server.needsRecentAuth.has(path) && !server.recentTokens.has(token)) {
        return fakeResponse(403, { detail: 'Confirm it is you.', code: 'reauthentication_required' }, date);
      }
      if (path === '/api/auth/me/' && call.method === 'DELETE' && server.lastSuperuser) {
        return fakeResponse(400, { detail: 'You are the last superuser.', code: 'last_superuser' }, date);
      }
      if (path === '/api/auth/me/' && call.method !== 'DELETE') return fakeResponse(200, theUser, date);
      if (path === '/api/auth/mfa/' && call.method === 'GET') {
        const remaining = server.mfa && server.mfa.recoveryCodes ? server.mfa.recoveryCodes.size : 0;
        return fakeResponse(200, {
          enabled: !!server.mfa,
          totp: { enabled: !!server.mfa, pending: false, confirmed_at: null, last_used_at: null },
          recovery_codes: { total: server.mfa ? 10 : 0, remaining, created_at: null },
        }, date);
      }
      if (call.method === 'DELETE' || path === '/api/auth/logout-all/' || path === '/api/auth/logout-others/') {
        return fakeResponse(204, null, date);
      }
      return fakeResponse(200, { ok: true, path }, date);
    },
  };
  return server;
}
