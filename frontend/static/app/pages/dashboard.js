// Overview: who is signed in, this session, and a live countdown to the
// access token's expiry (it renews itself on the next request).
import { add, h, link, setChildren, setText, loading, errorState, pageTitle } from '../dom.js';
import { AuthError, errorMessage } from '../api.js';
import { formatCountdown, formatDate, formatDateTime, relativeTime } from '../format.js';
import { parseUserAgent } from '../ua.js';

function dl(rows) {
  return h(
    'dl',
    { class: 'details' },
    rows.filter(Boolean).map(([term, value]) => h('div', { class: 'details-row' }, h('dt', {}, term), h('dd', {}, value))),
  );
}

export function mount(container, ctx) {
  const { api, store, user, clock } = ctx;
  const disposers = [];

  // --- account card
  const account = h(
    'section',
    { class: 'card', 'aria-labelledby': 'card-account' },
    h('h2', { class: 'card-title', id: 'card-account' }, 'Your account'),
    dl([
      ['Username', user.username],
      ['Email', user.email || '—'],
      ['Role', user.is_staff ? h('span', { class: 'badge badge-accent' }, 'Staff') : h('span', { class: 'badge' }, 'Member')],
      ['Member since', formatDate(user.date_joined)],
    ]),
  );

  // --- token card
  const countdown = h('span', { class: 'countdown-value', testid: 'token-countdown', 'aria-live': 'off' }, '—');
  const meter = h('progress', { class: 'countdown-bar', max: '100', value: '0', 'aria-label': 'Access token lifetime left' });
  const status = h('p', { class: 'countdown-status' });
  const tokenDetails = h('div', {});
  const renewBtn = h('button', { type: 'button', class: 'btn btn-secondary btn-sm', on: { click: renewNow } }, 'Renew now');
  const tokenCard = h(
    'section',
    { class: 'card card-token', 'aria-labelledby': 'card-token' },
    h('h2', { class: 'card-title', id: 'card-token' }, 'Access token'),
    h('div', { class: 'countdown' }, h('span', { class: 'countdown-label' }, 'Expires in'), countdown),
    meter,
    status,
    tokenDetails,
    h('div', { class: 'card-actions' }, renewBtn),
  );

  function drawTokenDetails() {
    const claims = store.claims() || {};
    const at = store.expiresAt();
    setChildren(
      tokenDetails,
      dl([
        ['Token ID', h('code', {}, String(claims.jti ?? '—'))],
        ['Session ID', h('code', {}, String(claims.sid ?? '—'))],
        ['Issued', claims.iat ? formatDateTime(claims.iat * 1000) : '—'],
        ['Expires', at ? formatDateTime(at) : '—'],
      ]),
    );
  }

  function tick() {
    const left = store.timeLeft();
    const life = store.lifetime();
    if (left === null) {
      setText(countdown, '—');
      setText(status, 'Expiry unknown.');
      return;
    }
    setText(countdown, formatCountdown(left));
    countdown.classList.toggle('is-low', left < 30_000);
    meter.value = life ? Math.max(0, Math.min(100, (left / life) * 100)) : 0;
    setText(
      status,
      left > 30_000
        ? 'Renews automatically shortly before it expires, on your next action.'
        : left > 0
          ? 'Expiring soon: your next action renews it automatically.'
          : 'Expired: your next action renews it automatically, without signing you in again.',
    );
  }

  async function renewNow() {
    renewBtn.disabled = true;
    try {
      await api.refresh();
      ctx.announce('Access token renewed.');
    } catch (err) {
      if (!(err instanceof AuthError)) setText(status, errorMessage(err));
    } finally {
      renewBtn.disabled = false;
    }
  }

  drawTokenDetails();
  tick();
  disposers.push(ctx.every(1000, tick));
  disposers.push(
    store.subscribe((token) => {
      if (token) {
        drawTokenDetails();
        tick();
      }
    }),
  );

  // --- this session card
  const sessionBody = h('div', { class: 'card-body' }, loading('Loading session…'));
  const sessionCard = h(
    'section',
    { class: 'card', 'aria-labelledby': 'card-session' },
    h('h2', { class: 'card-title', id: 'card-session' }, 'This session'),
    sessionBody,
  );

  let alive = true;
  async function loadSession() {
    setChildren(sessionBody, loading('Loading session…'));
    try {
      const sessions = await api.sessions();
      if (!alive) return;
      const list = Array.isArray(sessions) ? sessions : sessions.results || [];
      const current = list.find((s) => s.current);
      const others = list.length - (current ? 1 : 0);
      if (!current) {
        setChildren(sessionBody, h('p', { class: 'muted' }, 'No details for this session.'));
        return;
      }
      const device = parseUserAgent(current.user_agent);
      const now = store.serverNow();
      setChildren(
        sessionBody,
        dl([
          ['Device', device.label],
          ['IP address', current.ip_address || '—'],
          ['Signed in', formatDateTime(current.created_at)],
          ['Last active', relativeTime(current.last_used_at, now)],
          ['Session ends', formatDateTime(current.expires_at)],
        ]),
        h(
          'p',
          { class: 'card-foot' },
          others > 0 ? `${others} other active ${others === 1 ? 'session' : 'sessions'}. ` : 'No other active sessions. ',
          link('/sessions', { class: 'link-arrow' }, 'Manage sessions'),
        ),
      );
    } catch (err) {
      if (!alive || err instanceof AuthError) return;
      setChildren(sessionBody, errorState(errorMessage(err), loadSession));
    }
  }
  loadSession();

  add(container, 
    pageTitle(`Welcome, ${user.username}`, 'Your account and this browser’s session at a glance.'),
    h('div', { class: 'grid' }, tokenCard, sessionCard, account),
  );

  return () => {
    alive = false;
    for (const d of disposers) d();
  };
}
