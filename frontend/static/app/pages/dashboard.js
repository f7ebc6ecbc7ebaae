// Overview: the account's security at a glance. This device (and how many
// others are signed in), the account, and its recent security activity from
// GET /api/auth/activity/ (sign-ins with device and IP, sign-outs, password
// changes and resets, reuse alarms), with whether two-step sign-in is on and
// whether the address is verified. The access token's details (expiry
// countdown, IDs) are folded away under "Technical details" for the curious.
// A load that fails during an outage is retried until the server answers.
import { add, h, link, setChildren, setText, loading, errorState, pageTitle, setBusy } from '../dom.js';
import { AuthError } from '../api.js';
import { formatCountdown, formatDate, formatDateTime } from '../format.js';
import { deviceOf } from '../ua.js';
import { activityView } from '../activity.js';
import { listOf, twoStepState } from '../two-step-state.js';
import { pageQuery } from './staff.js';
import { t, tNodes } from '../translate.js';
import { errorMessage } from '../error-text.js';

function dl(rows) {
  return h(
    'dl',
    { class: 'details' },
    rows.filter(Boolean).map(([term, value]) => h('div', { class: 'details-row' }, h('dt', {}, term), h('dd', {}, value))),
  );
}

export function mount(container, ctx) {
  const { api, store, user } = ctx;
  const disposers = [];
  let alive = true;

  // --- technical details: the access token, folded away
  const countdown = h('span', { class: 'countdown-value', testid: 'token-countdown', 'aria-live': 'off' }, '—');
  const meter = h('progress', { class: 'countdown-bar', max: '100', value: '0', 'aria-label': t('Access token lifetime left') });
  const status = h('p', { class: 'countdown-status' });
  const tokenDetails = h('div', {});
  const technical = h(
    'details',
    { class: 'tech-details', testid: 'technical-details' },
    h('summary', {}, t('Technical details')),
    h(
      'div',
      { class: 'tech-body' },
      h('div', { class: 'countdown' }, h('span', { class: 'countdown-label' }, t('Access token expires in')), countdown),
      meter,
      status,
      tokenDetails,
    ),
  );

  function drawTokenDetails() {
    const claims = store.claims() || {};
    const at = store.expiresAt();
    setChildren(
      tokenDetails,
      dl([
        [t('Token ID'), h('code', {}, String(claims.jti ?? '—'))],
        [t('Session ID'), h('code', {}, String(claims.sid ?? '—'))],
        [t('Issued'), claims.iat ? formatDateTime(claims.iat * 1000) : '—'],
        [t('Expires'), at ? formatDateTime(at) : '—'],
      ]),
    );
  }

  function tick() {
    const left = store.timeLeft();
    const life = store.lifetime();
    if (left === null) {
      setText(countdown, '—');
      setText(status, t('Expiry unknown.'));
      return;
    }
    setText(countdown, formatCountdown(left));
    countdown.classList.toggle('is-low', left < 30_000);
    meter.value = life ? Math.max(0, Math.min(100, (left / life) * 100)) : 0;
    setText(
      status,
      left > 0
        ? t('Short-lived on purpose: it is renewed automatically before it expires, without signing you in again.')
        : t('Expired: your next action renews it automatically, without signing you in again.'),
    );
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

  // --- this device
  const deviceBody = h('div', { class: 'card-body' }, loading(t('Loading this device…')));
  const deviceCard = h(
    'section',
    { class: 'card overview-device', 'aria-labelledby': 'card-device' },
    h('h2', { class: 'card-title', id: 'card-device' }, t('This device')),
    deviceBody,
    technical,
  );

  async function loadDevice() {
    const sessions = await api.sessions();
    if (!alive) return;
    const list = Array.isArray(sessions) ? sessions : sessions.results || [];
    const current = list.find((s) => s.current);
    const others = list.length - (current ? 1 : 0);
    if (!current) {
      setChildren(deviceBody, h('p', { class: 'muted' }, t('No details for this device.')));
      return;
    }
    setChildren(
      deviceBody,
      dl([
        [t('Device'), deviceOf(current).label],
        [t('IP address'), current.ip_address || '—'],
        [t('Signed in'), formatDateTime(current.created_at)],
        [t('Last active'), t('Active now')],
        [t('Signed in until'), formatDateTime(current.expires_at)],
      ]),
      h(
        'p',
        { class: 'card-foot' },
        others > 0 ? t('Signed in on {count} other devices.', { count: others }) : t('Not signed in anywhere else.'),
        ' ',
        link('/sessions', { class: 'link-arrow' }, t('Manage sessions')),
      ),
    );
  }

  /** A card's own load, retried until the server answers; its error shown meanwhile. */
  function loadInto(body, load) {
    const loader = ctx.loadUntilAnswered({
      load,
      onFailure(err, info) {
        if (!alive || err instanceof AuthError) return;
        setChildren(body, errorState(errorMessage(err), () => loader.retryNow(), info));
      },
    });
    disposers.push(() => loader.stop());
  }

  // --- the account: its address (verified or not) and two-step sign-in
  const twoStep = h('span', { testid: 'overview-two-step' }, '…');
  const unverified = user.email && !user.email_verified
    ? h(
      'div',
      { class: 'alert alert-warning', role: 'status', testid: 'overview-email-unverified' },
      h('p', {}, tNodes(t('Your address {email} is not verified yet: open the link we sent there.'), { email: h('strong', {}, user.email) })),
      h('p', { class: 'notice-actions' }, link('/account', { class: 'btn btn-secondary btn-sm' }, t('Send the link again'))),
    )
    : null;
  const emailBadge = user.email
    ? user.email_verified
      ? h('span', { class: 'badge badge-success', testid: 'email-status' }, t('Verified'))
      : h('span', { class: 'badge badge-muted', testid: 'email-status' }, t('Not verified'))
    : null;
  const account = h(
    'section',
    { class: 'card overview-account', 'aria-labelledby': 'card-account' },
    h('h2', { class: 'card-title', id: 'card-account' }, t('Your account')),
    unverified,
    dl([
      [t('Username'), user.username],
      [t('Email'), [user.email || '—', ' ', emailBadge]],
      [t('Two-step sign-in'), twoStep],
      [t('Role'), user.is_staff ? h('span', { class: 'badge badge-accent' }, t('Staff')) : h('span', { class: 'badge' }, t('Member'))],
      [t('Member since'), formatDate(user.date_joined)],
    ]),
    h('p', { class: 'card-foot' }, link('/account', { class: 'link-arrow' }, t('Password and two-step sign-in'))),
  );

  async function loadTwoStep() {
    const [mfa, passkeys] = await Promise.all([api.mfaStatus(), api.passkeys()]);
    if (!alive) return;
    const state = twoStepState(mfa, passkeys);
    setChildren(
      twoStep,
      h('span', { class: ['badge', state.on ? 'badge-success' : 'badge-muted'] }, state.on ? t('On') : t('Off')),
      ' ',
      state.on ? listOf(state.factors) : h('span', { class: 'muted' }, t('only your password protects your account')),
    );
  }

  // --- recent activity
  const activityBody = h('div', {}, loading(t('Loading recent activity…')));
  const activityList = h('ol', { class: 'activity-list', 'aria-label': t('Recent activity, newest first') });
  const moreBtn = h('button', { type: 'button', class: 'btn btn-secondary btn-sm', on: { click: loadMore } }, t('Show older activity'));
  const more = h('div', { class: 'activity-more', hidden: true }, moreBtn);
  let nextQuery = null;
  const activityCard = h(
    'section',
    { class: 'card card-flush overview-activity', 'aria-labelledby': 'card-activity' },
    h(
      'div',
      { class: 'activity-head' },
      h('h2', { class: 'card-title', id: 'card-activity' }, t('Recent activity')),
      h('p', { class: 'muted small' }, t('Sign-ins, sign-outs and changes to your password, newest first.')),
    ),
    activityBody,
    h(
      'p',
      { class: 'activity-foot' },
      tNodes(t('Something you don’t recognise? {signOut} and {changePassword}.'), {
        signOut: link('/sessions', {}, t('Sign that device out')),
        changePassword: link('/account', {}, t('change your password')),
      }),
    ),
  );

  function activityRow(event) {
    const view = activityView(event);
    const meta = [
      view.device ? h('li', {}, view.device) : null,
      view.ip ? h('li', {}, h('span', { class: 'meta-label' }, t('IP ')), view.ip) : null,
      h('li', {}, view.iso ? h('time', { datetime: view.iso }, view.when) : view.when),
    ];
    return h(
      'li',
      { class: ['activity', `activity-${view.tone}`], testid: 'activity-row', dataset: { kind: String(event.kind || '') } },
      h('span', { class: ['activity-icon', `activity-icon-${view.tone}`], 'aria-hidden': 'true' }),
      h(
        'div',
        { class: 'activity-main' },
        h(
          'p',
          { class: 'activity-title' },
          h('span', {}, view.label),
          view.current ? h('span', { class: 'badge badge-success' }, t('This device')) : null,
        ),
        h('ul', { class: 'activity-meta' }, meta),
      ),
    );
  }

  function showPage(data) {
    const events = Array.isArray(data) ? data : (data && data.results) || [];
    activityList.append(...events.map(activityRow));
    nextQuery = Array.isArray(data) || !data ? null : pageQuery(data.next);
    more.hidden = !nextQuery;
  }

  async function loadActivity() {
    const data = await api.activity();
    if (!alive) return;
    setChildren(activityList);
    showPage(data);
    setChildren(
      activityBody,
      activityList.children.length ? [activityList, more] : h('p', { class: 'state' }, t('No activity yet.')),
    );
  }

  async function loadMore() {
    if (!nextQuery) return;
    setBusy(moreBtn, true, t('Loading…'));
    try {
      const data = await api.activity(nextQuery);
      if (!alive) return;
      setBusy(moreBtn, false);
      showPage(data);
    } catch (err) {
      if (!alive || err instanceof AuthError) return;
      setBusy(moreBtn, false);
      ctx.toast(errorMessage(err));
    }
  }

  loadInto(deviceBody, loadDevice);
  loadInto(activityBody, loadActivity);
  loadInto(twoStep, loadTwoStep);

  add(
    container,
    pageTitle(t('Welcome, {username}', { username: user.username }), t('Your account’s security at a glance.')),
    h('div', { class: 'grid overview' }, deviceCard, activityCard, account),
  );

  return () => {
    alive = false;
    for (const d of disposers) d();
  };
}
