// "Sign in with Gatehouse": the page an application's sign-in request lands on
// (/authorize?request=…, sealed by the server's /oauth/authorize/), and its
// silent twin for prompt=none (/authorize/silent, which never shows a form).
// The server decides everything: where to go (the application's redirect URI
// with a code or an error), or what to ask (the consent form). "Confirm it's
// you" comes from the API client when the request's max_age or prompt=login
// asks for a fresh authentication (403 reauthentication_required).
import { add, h, pageTitle, setChildren, loading, setBusy } from '../dom.js';
import { ApiError, AuthError } from '../api.js';
import { errorMessage } from '../error-text.js';
import { t, tNodes } from '../translate.js';

export const AUTHORIZE_PATH = '/api/auth/oauth/authorize/';
export const END_SESSION_PATH = '/api/auth/oauth/end-session/';

function requestParam(location) {
  try {
    return new URLSearchParams(location.search || '').get('request') || '';
  } catch {
    return '';
  }
}

function leave(to) {
  globalThis.location.assign(to);
}

function errorBlock(message) {
  return h(
    'div',
    { class: 'card stack', role: 'alert', testid: 'oauth-error' },
    h('p', {}, message),
    h('p', {}, tNodes(t('Nothing was shared with the application. Go back to it and start again, or {account}.'), { account: h('a', { href: '/' }, t('open your account')) })),
  );
}

export function mount(container, ctx) {
  const { api, location } = ctx;
  const silent = (location.pathname || '').replace(/\/+$/, '') === '/authorize/silent';
  const sealed = requestParam(location);
  let alive = true;
  const body = h('div', { class: 'stack' });
  add(container, pageTitle(silent ? t('Signing you in…') : t('Sign in to an application')), body);
  setChildren(body, loading(t('Checking the request…')));

  if (!sealed) {
    setChildren(body, errorBlock(t('This sign-in request is incomplete.')));
    return () => { alive = false; };
  }

  async function send(decision) {
    const payload = decision ? { request: sealed, decision } : { request: sealed };
    if (!api.isLoggedIn()) {
      if (!silent) {
        ctx.navigate(`/login?next=${encodeURIComponent(`/authorize?request=${sealed}`)}`, { replace: true });
        return null;
      }
      return api.postAnonymously(AUTHORIZE_PATH, payload);
    }
    return api.request(AUTHORIZE_PATH, { method: 'POST', body: payload });
  }

  async function step(decision) {
    let answer;
    try {
      answer = await send(decision);
    } catch (err) {
      if (!alive) return;
      if (err instanceof AuthError && !silent) {
        ctx.navigate(`/login?next=${encodeURIComponent(`/authorize?request=${sealed}`)}`, { replace: true });
        return;
      }
      if (err instanceof ApiError && err.code === 'reauthentication_required') {
        setChildren(body, errorBlock(t('The application asked you to confirm it’s you, and that was cancelled.')));
        return;
      }
      setChildren(body, errorBlock(errorMessage(err)));
      return;
    }
    if (!alive || !answer) return;
    if (answer.redirect_to) {
      setChildren(body, loading(t('Returning to the application…')));
      leave(answer.redirect_to);
      return;
    }
    if (answer.consent) showConsent(answer.consent);
  }

  function showConsent(consent) {
    const allow = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'consent-allow' }, t('Allow'));
    const deny = h('button', { type: 'button', class: 'btn btn-secondary', testid: 'consent-deny' }, t('Cancel'));
    const form = h(
      'form',
      { class: 'card stack', testid: 'consent-form', novalidate: true },
      h('p', {}, tNodes(t('{app} wants to sign you in with your Gatehouse account.'), { app: h('strong', {}, consent.client_name) })),
      h('p', { class: 'muted' }, tNodes(t('It will send you back to {host}.'), { host: h('strong', { testid: 'consent-redirect-host' }, consent.redirect_host) })),
      h('p', {}, t('It will be able to:')),
      h('ul', { class: 'consent-scopes' }, consent.scopes.map((s) => h('li', { dataset: { scope: s.scope } }, s.text))),
      h('p', { class: 'muted' }, t('You can remove its access at any time on your account page.')),
      h('div', { class: 'page-actions' }, allow, deny),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      setBusy(allow, true, t('Allowing…'));
      deny.disabled = true;
      step('allow');
    });
    deny.addEventListener('click', () => {
      deny.disabled = true;
      allow.disabled = true;
      step('deny');
    });
    setChildren(body, form);
    allow.focus();
  }

  step(null);
  return () => { alive = false; };
}
