// Staff: users with their active-session counts, and a way into the Django admin.
import { add, h, setChildren, setText, loading, errorState, pageTitle } from '../dom.js';
import { AuthError, errorMessage } from '../api.js';
import { formatDate } from '../format.js';

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

  const summary = h('p', { class: 'page-sub' }, 'Everyone with an account, and how many active sessions each has.');
  const body = h('div', { class: 'card card-flush' }, loading('Loading users…'));
  const prev = h('button', { type: 'button', class: 'btn btn-secondary btn-sm', disabled: true }, '← Previous');
  const next = h('button', { type: 'button', class: 'btn btn-secondary btn-sm', disabled: true }, 'Next →');
  const pageInfo = h('span', { class: 'muted small', 'aria-live': 'polite' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pagination', hidden: true }, prev, pageInfo, next);
  let prevQuery = null;
  let nextQuery = null;
  prev.addEventListener('click', () => prevQuery !== null && load(prevQuery));
  next.addEventListener('click', () => nextQuery !== null && load(nextQuery));

  add(container, 
    h(
      'div',
      { class: 'page-head page-head-row' },
      h('div', {}, h('h1', { class: 'page-title', testid: 'page-title', tabindex: '-1' }, 'Staff'), summary),
      h(
        'div',
        { class: 'page-actions' },
        h('a', { href: '/api/docs/', class: 'btn btn-secondary', testid: 'api-docs-link' }, 'API docs ↗'),
        h('a', { href: '/admin/', class: 'btn btn-secondary', testid: 'admin-link' }, 'Open Django admin ↗'),
      ),
    ),
    body,
    pager,
  );

  function table(users) {
    const cols = ['User', 'Email', 'Role', 'Status', 'Joined', 'Active sessions'];
    return h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'table' },
        h('caption', { class: 'visually-hidden' }, 'Users and their active sessions'),
        h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c)))),
        h(
          'tbody',
          {},
          users.map((u) =>
            h(
              'tr',
              { testid: 'user-row' },
              h('th', { scope: 'row', 'data-label': 'User' }, u.username),
              h('td', { 'data-label': 'Email' }, u.email || '—'),
              h('td', { 'data-label': 'Role' }, u.is_staff ? h('span', { class: 'badge badge-accent' }, 'Staff') : 'Member'),
              h(
                'td',
                { 'data-label': 'Status' },
                u.is_active === false ? h('span', { class: 'badge badge-muted' }, 'Inactive') : h('span', { class: 'badge badge-success' }, 'Active'),
              ),
              h('td', { 'data-label': 'Joined' }, formatDate(u.date_joined)),
              h('td', { 'data-label': 'Active sessions', class: 'num' }, String(u.active_sessions ?? 0)),
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
    setChildren(body, loading('Loading users…'));
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
    setText(summary, `${total} ${total === 1 ? 'user' : 'users'}. Active-session counts are live.`);
    setChildren(body, users.length ? table(users) : h('p', { class: 'state' }, 'No users yet.'));
    prevQuery = Array.isArray(data) ? null : pageQuery(data.previous);
    nextQuery = Array.isArray(data) ? null : pageQuery(data.next);
    prev.disabled = prevQuery === null;
    next.disabled = nextQuery === null;
    pager.hidden = prevQuery === null && nextQuery === null;
    const page = Number(new URLSearchParams(q).get('page') || 1);
    setText(pageInfo, `Page ${page}`);
  }

  load('');
  return () => {
    alive = false;
    if (loader) loader.stop();
  };
}
