// Active sessions: device, IP, created, last used; revoke one; log out everywhere.
import { add, h, setChildren, setText, loading, errorState, formError, setBusy } from '../dom.js';
import { AuthError, ApiError, errorMessage } from '../api.js';
import { formatDateTime, relativeTime } from '../format.js';
import { parseUserAgent } from '../ua.js';
import { confirmAction } from '../confirm.js';

const KIND_ICON = { phone: 'phone', tablet: 'tablet', desktop: 'desktop', other: 'other' };

export function mount(container, ctx) {
  const { api, store } = ctx;
  let alive = true;

  const listWrap = h('div', { class: 'card card-flush' }, loading('Loading sessions…'));
  const error = formError();
  const logoutAllBtn = h(
    'button',
    { type: 'button', class: 'btn btn-danger', testid: 'logout-all', on: { click: onLogoutAll } },
    'Log out everywhere',
  );
  const count = h('p', { class: 'page-sub' }, 'Devices and browsers signed in to your account.');

  add(container, 
    h(
      'div',
      { class: 'page-head page-head-row' },
      h('div', {}, h('h1', { class: 'page-title', testid: 'page-title', tabindex: '-1' }, 'Sessions'), count),
      h('div', { class: 'page-actions' }, logoutAllBtn),
    ),
    error.el,
    listWrap,
    h(
      'p',
      { class: 'muted small' },
      'Revoking a session signs that device out at once. If you don’t recognise a session, revoke it and change your password.',
    ),
  );

  function row(s) {
    const device = parseUserAgent(s.user_agent);
    const now = store.serverNow();
    const label = device.label;
    const revoke = s.current
      ? null
      : h(
          'button',
          {
            type: 'button',
            class: 'btn btn-secondary btn-sm',
            testid: 'revoke-session',
            'aria-label': `Revoke session: ${label}, ${s.ip_address || 'unknown IP'}`,
          },
          'Revoke',
        );
    const li = h(
      'li',
      { class: ['session', s.current && 'is-current'], testid: 'session-row', dataset: { sessionId: String(s.id) } },
      h('div', { class: ['device-icon', `device-${KIND_ICON[device.kind]}`], 'aria-hidden': 'true' }),
      h(
        'div',
        { class: 'session-main' },
        h(
          'p',
          { class: 'session-title' },
          h('span', {}, label),
          s.current ? h('span', { class: 'badge badge-success' }, 'This device') : null,
        ),
        h(
          'ul',
          { class: 'session-meta' },
          h('li', {}, h('span', { class: 'meta-label' }, 'IP '), s.ip_address || 'unknown'),
          h('li', {}, h('span', { class: 'meta-label' }, 'Signed in '), formatDateTime(s.created_at)),
          h('li', {}, h('span', { class: 'meta-label' }, 'Last active '), relativeTime(s.last_used_at, now)),
        ),
        s.user_agent ? h('p', { class: 'session-ua', title: s.user_agent }, s.user_agent) : null,
      ),
      h('div', { class: 'session-actions' }, revoke || h('span', { class: 'muted small' }, 'Current session')),
    );
    if (revoke) {
      revoke.addEventListener('click', async () => {
        error.clear();
        const sure = await confirmAction({
          title: 'Revoke this session?',
          message: `${label} (${s.ip_address || 'unknown IP'}) will be signed out at once.`,
          confirmLabel: 'Revoke session',
        });
        if (!sure || !alive) return;
        setBusy(revoke, true, 'Revoking…');
        try {
          await api.revokeSession(s.id);
          if (!alive) return;
          li.remove();
          ctx.toast(`Session on ${label} revoked.`);
          updateCount();
        } catch (err) {
          if (!alive || err instanceof AuthError) return;
          setBusy(revoke, false);
          if (err instanceof ApiError && err.status === 404) {
            li.remove();
            updateCount();
            error.show('That session had already ended.');
          } else {
            error.show(errorMessage(err));
          }
        }
      });
    }
    return li;
  }

  function updateCount() {
    const n = listWrap.querySelectorAll('[data-testid="session-row"]').length;
    setText(count, `${n} active ${n === 1 ? 'session' : 'sessions'}. Devices and browsers signed in to your account.`);
  }

  async function load() {
    setChildren(listWrap, loading('Loading sessions…'));
    try {
      const data = await api.sessions();
      if (!alive) return;
      const list = (Array.isArray(data) ? data : data.results || []).slice();
      list.sort((a, b) => (b.current === true) - (a.current === true) || String(b.last_used_at).localeCompare(String(a.last_used_at)));
      if (!list.length) {
        setChildren(listWrap, h('p', { class: 'state' }, 'No active sessions.'));
      } else {
        setChildren(listWrap, h('ul', { class: 'session-list' }, list.map(row)));
      }
      updateCount();
    } catch (err) {
      if (!alive || err instanceof AuthError) return;
      setChildren(listWrap, errorState(errorMessage(err), load));
    }
  }

  async function onLogoutAll() {
    error.clear();
    const sure = await confirmAction({
      title: 'Log out everywhere?',
      message: 'Every device and browser signed in to your account, this one included, will be signed out.',
      confirmLabel: 'Log out everywhere',
    });
    if (!sure || !alive) return;
    setBusy(logoutAllBtn, true, 'Signing out…');
    try {
      await api.logoutAll(); // -> the app shows the login page
    } catch (err) {
      if (!alive || err instanceof AuthError) return;
      setBusy(logoutAllBtn, false);
      error.show(errorMessage(err));
    }
  }

  load();
  return () => {
    alive = false;
  };
}
