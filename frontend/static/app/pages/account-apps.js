// Account page, "Connected apps": the applications that sign the user in through
// Gatehouse (OpenID Connect), what each may see, and "Remove access" (asks first:
// its sessions end at once, and it must ask again next time). Mounted by account.js.
import { add, h, setChildren, loading, formError, setBusy } from '../dom.js';
import { AuthError, ApiError, errorMessage } from '../api.js';
import { formatDate } from '../format.js';
import { confirmAction } from '../confirm.js';

export const APPS = '/api/auth/apps/';

/**
 * @param {HTMLElement} container  the account page; the section is appended to it
 * @param {object} ctx             the page context (api, toast)
 * @returns {() => void} dispose
 */
export function mountApps(container, ctx) {
  const { api } = ctx;
  let alive = true;
  const listError = formError();
  const listWrap = h('div', {}, loading('Loading apps…'));
  add(
    container,
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'card-apps', testid: 'apps-section' },
      h('h2', { class: 'card-title', id: 'card-apps' }, 'Connected apps'),
      h('p', { class: 'muted small' }, 'Applications you signed in to with your Gatehouse account. Removing one signs you out of it everywhere.'),
      listError.el,
      listWrap,
    ),
  );

  function row(app) {
    const remove = h('button', { type: 'button', class: 'btn btn-secondary btn-sm', testid: 'app-revoke' }, 'Remove access');
    const li = h(
      'li',
      { class: 'app-row', testid: 'app-row', dataset: { clientId: app.client_id } },
      h('div', { class: 'stack app-details' },
        h('strong', {}, app.name),
        h('span', { class: 'muted small' }, `Since ${formatDate(app.since)}`, app.active_sessions ? ` · signed in on ${app.active_sessions} session${app.active_sessions === 1 ? '' : 's'}` : ''),
        h('ul', { class: 'muted small app-scopes' }, app.scopes.map((s) => h('li', {}, s.text)))),
      remove,
    );
    remove.addEventListener('click', async () => {
      const sure = await confirmAction({
        title: `Remove ${app.name}’s access?`,
        message: `You will be signed out of ${app.name} at once, and it will have to ask you again next time.`,
        confirmLabel: 'Remove access',
      });
      if (!sure || !alive) return;
      setBusy(remove, true, 'Removing…');
      try {
        await api.request(`${APPS}${encodeURIComponent(app.client_id)}/`, { method: 'DELETE' });
      } catch (err) {
        if (!alive || err instanceof AuthError) return;
        setBusy(remove, false);
        if (!(err instanceof ApiError && err.status === 404)) {
          listError.show(errorMessage(err));
          return;
        }
      }
      if (!alive) return;
      li.remove();
      if (!listWrap.querySelector('[data-testid="app-row"]')) setChildren(listWrap, empty());
      ctx.toast(`${app.name} no longer has access.`);
    });
    return li;
  }

  function empty() {
    return h('p', { class: 'muted', testid: 'apps-empty' }, 'No application has access to your account.');
  }

  (async () => {
    try {
      const apps = await api.request(APPS);
      if (!alive) return;
      setChildren(listWrap, apps.length ? h('ul', { class: 'app-list' }, apps.map(row)) : empty());
    } catch (err) {
      if (!alive || err instanceof AuthError) return;
      setChildren(listWrap);
      listError.show(errorMessage(err));
    }
  })();
  return () => { alive = false; };
}
