// Active sessions: device, IP, created, last used; revoke one; sign out everywhere else, or everywhere.
// The list stays current while it is open: "Last active" is redrawn every 30 s,
// and the list asked for again every minute and when the tab is shown again
// (rows are updated in place, so focus and an open dialog are not disturbed).
// A first load that fails (an outage) is retried until the server answers (retry-load.js).
import { add, h, setChildren, setText, loading, errorState, formError, setBusy } from '../dom.js';
import { AuthError, ApiError } from '../api.js';
import { formatDateTime, relativeTime } from '../format.js';
import { deviceOf } from '../ua.js';
import { confirmAction } from '../confirm.js';
import { keepFresh } from '../keep-fresh.js';
import { mountTrustedDevices } from './sessions-trusted.js';
import { t } from '../translate.js';
import { errorMessage } from '../error-text.js';

const KIND_ICON = { phone: 'phone', tablet: 'tablet', desktop: 'desktop', other: 'other' };

export function mount(container, ctx) {
  const { api, store } = ctx;
  let alive = true;
  // Rows on screen by session id: their element, the parts that change, the session last seen.
  const rows = new Map();
  let list = null;

  const listWrap = h('div', { class: 'card card-flush' }, loading(t('Loading sessions…')));
  const error = formError();
  const logoutAllBtn = h(
    'button',
    { type: 'button', class: 'btn btn-danger', testid: 'logout-all', on: { click: onLogoutAll } },
    t('Sign out everywhere'),
  );
  const logoutOthersBtn = h(
    'button',
    { type: 'button', class: 'btn btn-secondary', testid: 'logout-others', on: { click: onLogoutOthers } },
    t('Sign out everywhere else'),
  );
  const count = h('p', { class: 'page-sub' }, t('Devices and browsers signed in to your account.'));

  add(container, 
    h(
      'div',
      { class: 'page-head page-head-row' },
      h('div', {}, h('h1', { class: 'page-title', testid: 'page-title', tabindex: '-1' }, t('Sessions')), count),
      h('div', { class: 'page-actions' }, logoutOthersBtn, logoutAllBtn),
    ),
    error.el,
    listWrap,
    h(
      'p',
      { class: 'muted small' },
      t('Revoking a session signs that device out at once. If you don’t recognise a session, revoke it and change your password.'),
    ),
  );

  const revokeLabel = (label, s) => t('Revoke session: {device}, {ip}', { device: label, ip: s.ip_address || t('unknown IP') });
  // The session this page is shown in is in use: "active now", not "3 minutes ago" (its last refresh).
  const lastActiveText = (s, nowMs) => (s.current ? t('Active now') : relativeTime(s.last_used_at, nowMs));

  function row(s) {
    const device = deviceOf(s);
    const now = store.serverNow();
    const label = device.label;
    const ip = h('span', {}, s.ip_address || t('unknown'));
    const lastActive = h('span', { testid: 'last-active' }, lastActiveText(s, now));
    const revoke = s.current
      ? null
      : h(
          'button',
          {
            type: 'button',
            class: 'btn btn-secondary btn-sm',
            testid: 'revoke-session',
            'aria-label': revokeLabel(label, s),
          },
          t('Revoke'),
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
          s.current ? h('span', { class: 'badge badge-success' }, t('This device')) : null,
        ),
        h(
          'ul',
          { class: 'session-meta' },
          h('li', {}, h('span', { class: 'meta-label' }, t('IP ')), ip),
          h('li', {}, h('span', { class: 'meta-label' }, t('Signed in ')), formatDateTime(s.created_at)),
          h('li', {}, h('span', { class: 'meta-label' }, t('Last active ')), lastActive),
        ),
        s.user_agent ? h('p', { class: 'session-ua', title: s.user_agent }, s.user_agent) : null,
      ),
      h('div', { class: 'session-actions' }, revoke || h('span', { class: 'muted small' }, t('Current session'))),
    );
    const entry = { li, s };
    entry.update = (next) => {
      entry.s = next;
      setText(ip, next.ip_address || t('unknown'));
      if (revoke) revoke.setAttribute('aria-label', revokeLabel(label, next));
    };
    entry.redraw = (nowMs) => setText(lastActive, lastActiveText(entry.s, nowMs));
    rows.set(String(s.id), entry);
    const forget = () => {
      li.remove();
      rows.delete(String(s.id));
    };
    if (revoke) {
      revoke.addEventListener('click', async () => {
        error.clear();
        const sure = await confirmAction({
          title: t('Revoke this session?'),
          message: t('{device} ({ip}) will be signed out at once.', { device: label, ip: s.ip_address || t('unknown IP') }),
          confirmLabel: t('Revoke session'),
        });
        if (!sure || !alive) return;
        setBusy(revoke, true, t('Revoking…'));
        try {
          await api.revokeSession(s.id);
          if (!alive) return;
          forget();
          ctx.toast(t('Session on {device} revoked.', { device: label }));
          updateCount();
        } catch (err) {
          if (!alive || err instanceof AuthError) return;
          setBusy(revoke, false);
          if (err instanceof ApiError && err.status === 404) {
            forget();
            updateCount();
            error.show(t('That session had already ended.'));
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
    setText(count, t('{count} active sessions. Devices and browsers signed in to your account.', { count: n }));
  }

  function redrawTimes() {
    const now = store.serverNow();
    for (const entry of rows.values()) entry.redraw(now);
  }

  /** The new answer into the rows on screen: ended sessions go, new ones come, the others change in place. */
  function merge(sessions) {
    const ids = new Set(sessions.map((s) => String(s.id)));
    for (const [id, entry] of rows) {
      if (!ids.has(id)) {
        entry.li.remove();
        rows.delete(id);
      }
    }
    for (const s of sessions) {
      const entry = rows.get(String(s.id));
      if (entry) entry.update(s);
      else list.append(row(s));
    }
    redrawTimes();
    // Reorder only when nothing in the list has focus: moving an element drops its focus.
    if (!list.contains(list.ownerDocument.activeElement)) {
      for (const s of sessions) list.append(rows.get(String(s.id)).li);
    }
  }

  /** Ask for the list and show it (into the rows on screen, if any); rejects when the server did not answer. */
  async function fetchAndShow() {
    const data = await api.sessions();
    if (!alive) return;
    const sessions = (Array.isArray(data) ? data : data.results || []).slice();
    sessions.sort((a, b) => (b.current === true) - (a.current === true) || String(b.last_used_at).localeCompare(String(a.last_used_at)));
    if (!sessions.length) {
      rows.clear();
      list = null;
      setChildren(listWrap, h('p', { class: 'state' }, t('No active sessions.')));
    } else if (list) {
      merge(sessions);
    } else {
      rows.clear();
      list = h('ul', { class: 'session-list' }, sessions.map(row));
      setChildren(listWrap, list);
    }
    updateCount();
  }

  /** A refresh of the list on screen: no spinner; on failure the list stays and the banner speaks. */
  function reload() {
    return fetchAndShow().catch(() => {});
  }

  async function onLogoutAll() {
    error.clear();
    const sure = await confirmAction({
      title: t('Sign out everywhere?'),
      message: t('Every device and browser signed in to your account, this one included, will be signed out.'),
      confirmLabel: t('Sign out everywhere'),
    });
    if (!sure || !alive) return;
    setBusy(logoutAllBtn, true, t('Signing out…'));
    try {
      await api.logoutAll(); // -> the app shows the login page
    } catch (err) {
      if (!alive || err instanceof AuthError) return;
      setBusy(logoutAllBtn, false);
      error.show(errorMessage(err));
    }
  }

  async function onLogoutOthers() {
    error.clear();
    const sure = await confirmAction({
      title: t('Sign out everywhere else?'),
      message: t('Every other device and browser signed in to your account will be signed out. This one stays signed in.'),
      confirmLabel: t('Sign out other devices'),
    });
    if (!sure || !alive) return;
    setBusy(logoutOthersBtn, true, t('Signing out…'));
    try {
      await api.logoutOthers();
      if (!alive) return;
      ctx.toast(t('Your other devices have been signed out.'));
      await reload();
    } catch (err) {
      if (!alive || err instanceof AuthError) return;
      error.show(errorMessage(err));
    } finally {
      if (alive) setBusy(logoutOthersBtn, false);
    }
  }

  const loader = ctx.loadUntilAnswered({
    load: fetchAndShow,
    onFailure(err, info) {
      if (!alive || err instanceof AuthError) return;
      list = null;
      rows.clear();
      setChildren(listWrap, errorState(errorMessage(err), () => loader.retryNow(), info));
    },
  });
  const stopTrusted = mountTrustedDevices(container, ctx);
  const stopFresh = keepFresh({
    every: ctx.every,
    onShown: ctx.onShown,
    isVisible: ctx.isVisible,
    redraw: redrawTimes,
    reload,
  });
  return () => {
    alive = false;
    stopFresh();
    loader.stop();
    stopTrusted();
  };
}
