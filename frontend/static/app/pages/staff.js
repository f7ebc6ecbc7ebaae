// Staff: users with their active-session counts, and a way into the Django admin.
import { add, h, setChildren, setText, loading, errorState, pageTitle } from '../dom.js';
import { AuthError } from '../api.js';
import { formatDate } from '../format.js';
import { t } from '../translate.js';
import { errorMessage } from '../error-text.js';

/** "?page=2" from a DRF next/previous URL (absolute or relative); null if none. */
export function pageQuery(url) {
  if (!url) return null;
  try {
    const u = new URL(url, 'http://placeholder.invalid');
    return u.search || '';
  } catch {
    return null;
  }
}

export function mount(container, ctx) {
  const { api } = ctx;
  let alive = true;
  let query = '';

  const summary = h('p', { class: 'page-sub' }, t('Everyone with an account, and how many active sessions each has.'));
  const body = h('div', { class: 'card card-flush' }, loading(t('Loading users…')));
  const prev = h('button', { type: 'button', class: 'btn btn-secondary btn-sm', disabled: true }, t('← Previous'));
  const next = h('button', { type: 'button', class: 'btn btn-secondary btn-sm', disabled: true }, t('Next →'));
  const pageInfo = h('span', { class: 'muted small', 'aria-live': 'polite' });
  const pager = h('nav', { class: 'pager', 'aria-label': t('Pagination'), hidden: true }, prev, pageInfo, next);
  let prevQuery = null;
  let nextQuery = null;
  prev.addEventListener('click', () => prevQuery !== null && load(prevQuery));
  next.addEventListener('click', () => nextQuery !== null && load(nextQuery));

  add(container, 
    h(
      'div',
      { class: 'page-head page-head-row' },
      h('div', {}, h('h1', { class: 'page-title', testid: 'page-title', tabindex: '-1' }, t('Staff')), summary),
      h(
        'div',
        { class: 'page-actions' },
        h('a', { href: '/api/docs/', class: 'btn btn-secondary', testid: 'api-docs-link' }, t('API docs ↗')),
        h('a', { href: '/admin/', class: 'btn btn-secondary', testid: 'admin-link' }, t('Open Django admin ↗')),
      ),
    ),
    body,
    pager,
  );

  function table(users) {
    const cols = [t('User'), t('Email'), t('Role'), t('Status'), t('Joined'), t('Active sessions')];
    return h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'table' },
        h('caption', { class: 'visually-hidden' }, t('Users and their active sessions')),
        h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c)))),
        h(
          'tbody',
          {},
          users.map((u) =>
            h(
              'tr',
              { testid: 'user-row' },
              h('th', { scope: 'row', 'data-label': t('User') }, u.username),
              h('td', { 'data-label': t('Email') }, u.email || '—'),
              h('td', { 'data-label': t('Role') }, u.is_staff ? h('span', { class: 'badge badge-accent' }, t('Staff')) : t('Member')),
              h(
                'td',
                { 'data-label': t('Status') },
                u.is_active === false ? h('span', { class: 'badge badge-muted' }, t('Inactive')) : h('span', { class: 'badge badge-success' }, t('Active')),
              ),
              h('td', { 'data-label': t('Joined') }, formatDate(u.date_joined)),
              h('td', { 'data-label': t('Active sessions'), class: 'num' }, String(u.active_sessions ?? 0)),
            ),
          ),
        ),
      ),
    );
  }

  let loader = null;
  /** A page of the list, retried until the server answers (retry-load.js). */
  function load(q = query) {
    query = q;
    if (loader) loader.stop();
    setChildren(body, loading(t('Loading users…')));
    loader = ctx.loadUntilAnswered({
      load: () => show(q),
      onFailure(err, info) {
        if (!alive || err instanceof AuthError) return;
        setChildren(body, errorState(errorMessage(err), () => loader.retryNow(), info));
      },
    });
  }

  async function show(q) {
    const data = await api.users(q);
    if (!alive) return;
    const users = Array.isArray(data) ? data : data.results || [];
    const total = Array.isArray(data) ? users.length : data.count ?? users.length;
    setText(summary, t('{count} users. Active-session counts are live.', { count: total }));
    setChildren(body, users.length ? table(users) : h('p', { class: 'state' }, t('No users yet.')));
    prevQuery = Array.isArray(data) ? null : pageQuery(data.previous);
    nextQuery = Array.isArray(data) ? null : pageQuery(data.next);
    prev.disabled = prevQuery === null;
    next.disabled = nextQuery === null;
    pager.hidden = prevQuery === null && nextQuery === null;
    const page = Number(new URLSearchParams(q).get('page') || 1);
    setText(pageInfo, t('Page {page}', { page }));
  }

  load('');
  return () => {
    alive = false;
    if (loader) loader.stop();
  };
}
