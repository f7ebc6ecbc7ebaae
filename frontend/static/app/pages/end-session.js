// An application asked to sign the user out (RP-initiated logout): /end-session?request=…
// Signs out at once when the application named this very session; asks first otherwise
// (a link on any site can lead here). Then back to the application, or to the login page.
import { add, h, pageTitle, setChildren, loading, setBusy } from '../dom.js';
import { END_SESSION_PATH } from './authorize.js';
import { errorMessage } from '../error-text.js';
import { t } from '../translate.js';

export function mount(container, ctx) {
  const { api, location } = ctx;
  let alive = true;
  const sealed = new URLSearchParams(location.search || '').get('request') || '';
  const body = h('div', { class: 'stack' });
  add(container, pageTitle(t('Sign out')), body);
  setChildren(body, loading(t('Signing out…')));

  async function step(confirm) {
    let answer;
    try {
      const payload = { request: sealed, confirm };
      answer = api.isLoggedIn()
        ? await api.request(END_SESSION_PATH, { method: 'POST', body: payload })
        : await api.postAnonymously(END_SESSION_PATH, payload);
    } catch (err) {
      if (!alive) return;
      setChildren(body, h('div', { class: 'card', role: 'alert', testid: 'oauth-error' }, errorMessage(err)));
      return;
    }
    if (!alive) return;
    if (answer.ask) {
      const yes = h('button', { type: 'button', class: 'btn btn-primary', testid: 'end-session-confirm' }, t('Sign out'));
      const no = h('button', { type: 'button', class: 'btn btn-secondary', testid: 'end-session-cancel' }, t('Stay signed in'));
      yes.addEventListener('click', () => {
        setBusy(yes, true, t('Signing out…'));
        step(true);
      });
      no.addEventListener('click', () => ctx.navigate('/'));
      const ask = answer.client_name
        ? t('{app} asks to sign you out of Gatehouse on this browser.', { app: answer.client_name })
        : t('An application asks to sign you out of Gatehouse on this browser.');
      setChildren(body, h('div', { class: 'card stack' }, h('p', {}, ask), h('div', { class: 'page-actions' }, yes, no)));
      return;
    }
    if (answer.signed_out) {
      try {
        await api.logout();
      } catch {
        /* the session has ended on the server already */
      }
    }
    if (answer.redirect_to) globalThis.location.assign(answer.redirect_to);
    else ctx.navigate('/login', { replace: true });
  }

  if (!sealed) setChildren(body, h('div', { class: 'card', role: 'alert', testid: 'oauth-error' }, t('This sign-out request is incomplete.')));
  else step(false);
  return () => { alive = false; };
}
