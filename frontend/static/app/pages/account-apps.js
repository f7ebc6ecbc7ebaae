// Account page, "Connected apps": the applications that sign the user in through
// Gatehouse (OpenID Connect), what each may see, and "Remove access" (asks first:
// its sessions end at once, and it must ask again next time). Mounted by account.js.
import { add, h, setChildren, loading, formError, setBusy } from '../dom.js';
import { AuthError, ApiError } from '../api.js';
import { formatDate } from '../format.js';
import { confirmAction } from '../confirm.js';
import { errorMessage } from '../error-text.js';
import { t } from '../translate.js';

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
  const listWrap = h('div', {}, loading(t('Loading apps…')));
  add(
    container,
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'card-apps', testid: 'apps-section' },
      h('h2', { class: 'card-title', id: 'card-apps' }, t('Connected apps')),
      h('p', { class: 'muted small' }, t('Applications you signed in to with your Gatehouse account. Removing one signs you out of it everywhere.')),
      listError.el,
      listWrap,
    ),
  );

  function row(app) {
    const remove = h('button', { type: 'button', class: 'btn btn-secondary btn-sm', testid: 'app-revoke' }, t('Remove access'));
    const li = h(
      'li',
      { class: 'app-row', testid: 'app-row', dataset: { clientId: app.client_id } },
      h('div', { class: 'stack app-details' },
        h('strong', {}, app.name),
        h('span', { class: 'muted small' },
          app.active_sessions
            ? t('Since {date} · signed in on {count} sessions', { date: formatDate(app.since), count: app.active_sessions })
            : t('Since {date}', { date: formatDate(app.since) })),
        h('ul', { class: 'muted small app-scopes' }, app.scopes.map((s) => h('li', {}, s.text)))),
      remove,
    );
    remove.addEventListener('click', async () => {
      const sure = await confirmAction({
        title: t('Remove the access of {app}?', { app: app.name }),
        message: t('You will be signed out of {app} at once, and it will have to ask you again next time.', { app: app.name }),
        confirmLabel: t('Remove access'),
      });
      if (!sure || !alive) return;
      setBusy(remove, true, t('Removing…'));
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
      ctx.toast(t('{app} no longer has access.', { app: app.name }));
    });
    return li;
  }

  function empty() {
    return h('p', { class: 'muted', testid: 'apps-empty' }, t('No application has access to your account.'));
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
