// Sign-in with other identity providers, as the app sees it: the providers,
// starting a sign-in (or a link, or "Confirm it's you") there, the second
// step waiting after one, linked identities, and the callback's error codes
// in words. The browser leaves for the provider and comes back through the
// server's callback, which sets the refresh cookie (or keeps the second
// step's token in an HttpOnly cookie): nothing secret ever rides in a URL.
// fetch, the API client and the page navigation are injected (main.js).
import { ApiError, SecondStepRequired, TransientError } from './api.js';
import { t } from './translate.js';

export const PATHS = {
  providers: '/api/auth/providers/',
  start: (slug) => `/api/auth/federation/${encodeURIComponent(slug)}/start/`,
  secondStep: '/api/auth/federation/second-step/',
  identities: '/api/auth/identities/',
  refresh: '/api/auth/refresh/',
};

/** The readable cookie the callback sets after a sign-in or re-authentication: "get your access token now". */
export const SIGNED_IN_COOKIE = 'gatehouse_federated';

/** The callback's `?error=` codes, in words. */
export const ERROR_MESSAGES = {
  get federation_cancelled() { return t('Sign-in was cancelled at the provider. Nothing changed.'); },
  get federation_failed() { return t('We couldn’t sign you in with that provider. Please try again.'); },
  get account_exists() { return t('An account with this email address already exists. Sign in with your password (or an email code) first, then link the provider on your account page.'); },
  get account_unconfirmed() { return t('An account already uses this address, but never confirmed it. We mailed it a link to choose a password: it confirms the address and signs out whatever else was signed in. Then continue with the provider again.'); },
  get signup_closed() { return t('There is no account for this sign-in, and new accounts can’t be created this way.'); },
  get identity_in_use() { return t('That provider account is already linked to another account here.'); },
  get email_unverified() { return t('Your account was created. Confirm your email address with the link we just mailed you, then sign in.'); },
  get sso_required() { return t('Your organisation signs you in with its own provider. Continue with it to sign in.'); },
};

/** The message for a callback error code, or null for none (an unknown code gets the generic one). */
export function federationErrorMessage(code) {
  if (!code) return null;
  return ERROR_MESSAGES[code] || ERROR_MESSAGES.federation_failed;
}

async function body(res) {
  try {
    return await res.json();
  } catch {
    return null;
  }
}

async function answer(res) {
  const data = await body(res);
  if (res.ok) return data;
  if (res.status >= 500) {
    throw new TransientError((data && data.detail) || t('The server is temporarily unavailable.'), {
      status: res.status,
      detail: data && data.detail,
      code: data && data.code,
    });
  }
  throw new ApiError(res.status, data);
}

/**
 * @param {object} deps
 * @param {typeof fetch} deps.fetch
 * @param {object} deps.api           createApiClient(...): the signed-in routes (`request`)
 * @param {(url: string) => void} deps.assign  leave for the provider (window.location.assign)
 */
export function createFederation({ fetch, api, assign }) {
  async function publicPost(path, payload) {
    let res;
    try {
      res = await fetch(path, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(payload || {}),
      });
    } catch (err) {
      throw new TransientError(t('The server could not be reached.'), { cause: err });
    }
    return answer(res);
  }

  return {
    /** The enabled providers, [{slug, name, kind}]; [] when the server has none or cannot say. */
    async providers() {
      try {
        const res = await fetch(PATHS.providers, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
        const list = res.ok ? await body(res) : [];
        return Array.isArray(list) ? list.filter((p) => p && typeof p.slug === 'string' && typeof p.name === 'string') : [];
      } catch {
        return [];
      }
    },

    /**
     * Leave for provider `slug`. `intent` "login" (sign in or sign up, no session needed), "link" (to the
     * signed-in account; the API client asks "Confirm it's you" first when needed) or "reauth".
     */
    async start(slug, { intent = 'login', next = '/' } = {}) {
      const payload = { intent, next };
      const started = intent === 'login'
        ? await publicPost(PATHS.start(slug), payload)
        : await api.request(PATHS.start(slug), { method: 'POST', body: payload });
      if (!started || typeof started.authorization_url !== 'string') {
        throw new TransientError(t('The server sent an unexpected answer.'));
      }
      assign(started.authorization_url);
    },

    /** The second step waiting after a provider sign-in (once): a SecondStepRequired, or ApiError 401. */
    async pendingSecondStep() {
      const data = await publicPost(PATHS.secondStep, {});
      if (!data || typeof data.mfa_token !== 'string') throw new ApiError(401, { code: 'mfa_token_invalid' });
      return new SecondStepRequired(data);
    },

    /** The signed-in account's linked identities. */
    identities: () => api.request(PATHS.identities),

    /** Unlink one (a recent authentication: the API client asks first); 409 last_sign_in_method. */
    unlink: (id) => api.request(`${PATHS.identities}${encodeURIComponent(id)}/`, { method: 'DELETE' }),
  };
}

/** Whether the callback left the "signed in, fetch your token" cookie (and remove it: it is read once). */
export function takeSignedInMark(doc) {
  const cookies = String(doc.cookie || '').split(';').map((c) => c.trim());
  const found = cookies.includes(`${SIGNED_IN_COOKIE}=1`);
  if (found) doc.cookie = `${SIGNED_IN_COOKIE}=; Max-Age=0; Path=/; SameSite=Strict`;
  return found;
}

/**
 * Back from a provider signed in (or re-authenticated): exchange the refresh cookie the callback set for an
 * access token, as a login's answer would have carried. Resolves true when the app is now signed in.
 * @param {{doc: Document, fetch: typeof fetch, store: object, readDate?: (res: Response) => string|null}} deps
 */
export async function adoptProviderSignIn({ doc, fetch, store }) {
  if (!takeSignedInMark(doc)) return false;
  try {
    const res = await fetch(PATHS.refresh, { method: 'POST', credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (!res.ok) return false;
    const data = await body(res);
    if (!data || typeof data.access !== 'string') return false;
    store.set(data.access, { expiresIn: data.expires_in, serverDate: res.headers.get('Date') });
    return true;
  } catch {
    return false;
  }
}
