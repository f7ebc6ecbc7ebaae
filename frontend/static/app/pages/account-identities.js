// Account page, "Sign-in providers": the accounts at other identity providers
// linked to this one (each signs in here), unlinking one (after the
// confirmation dialog; the server refuses the last way in, 409
// last_sign_in_method), and linking another: the browser goes to the provider
// and comes back here. Linking and unlinking need a recent authentication: the
// API client then opens "Confirm it's you" and retries. A link that came back
// refused says why (?error= on /account).
import { add, h, setChildren, loading, errorState, formError } from '../dom.js';
import { AuthError, ApiError } from '../api.js';
import { errorMessage } from '../error-text.js';
import { t } from '../translate.js';
import { formatDate, relativeTime } from '../format.js';
import { confirmAction } from '../confirm.js';
import { federationErrorMessage } from '../federation.js';
import { iconUrl, providerButtons } from '../provider-buttons.js';

/** Mounted by the account page when the server has providers; returns its dispose function. */
export function mount(container, ctx) {
  const { federation } = ctx;
  if (!federation) return () => {};
  let alive = true;
  let loader = null;
  const error = formError();
  const listWrap = h('div', {}, loading(t('Loading…')));
  const linkWrap = h('div', {});
  const section = h(
    'section',
    { class: 'card', 'aria-labelledby': 'card-identities', testid: 'identities', hidden: true },
    h('h2', { class: 'card-title', id: 'card-identities' }, t('Sign-in providers')),
    h('p', { class: 'muted small' }, t('Accounts elsewhere that can sign you in here. Linking one needs you to sign in there once.')),
    error.el,
    listWrap,
    linkWrap,
  );
  add(container, h('div', { class: 'grid grid-section' }, section));

  const refused = federationErrorMessage(new URLSearchParams(ctx.location.search).get('error'));
  load();
  return () => {
    alive = false;
    if (loader) loader.stop();
  };

  function load() {
    if (loader) loader.stop();
    loader = ctx.loadUntilAnswered({
      load: async () => {
        const [providers, identities] = await Promise.all([federation.providers(), federation.identities()]);
        if (!alive) return;
        show(providers, identities || []);
      },
      onFailure(err, info) {
        if (!alive || err instanceof AuthError) return;
        section.hidden = false;
        setChildren(listWrap, errorState(errorMessage(err), () => loader.retryNow(), info));
      },
    });
  }

  function show(providers, identities) {
    // Nothing to show on a server without providers, unless the account still has identities from one removed.
    section.hidden = providers.length === 0 && identities.length === 0;
    if (refused) error.show(refused);
    setChildren(
      listWrap,
      identities.length
        ? h('ul', { class: 'identity-list' }, identities.map(row))
        : h('p', { class: 'muted', testid: 'no-identities' }, t('No provider is linked to your account.')),
    );
    const linkable = providers.filter((p) => !identities.some((i) => i.provider === p.slug));
    const buttons = providerButtons({
      providers: linkable,
      error,
      verb: t('Link {provider}'),
      testid: 'link-provider',
      choose: (provider) => federation.start(provider.slug, { intent: 'link', next: '/account' }),
    });
    setChildren(linkWrap, buttons ? h('div', { class: 'identity-link-list' }, Array.from(buttons.children)) : null);
  }

  function row(identity) {
    const unlink = h('button', { type: 'button', class: 'btn btn-secondary btn-sm', testid: 'unlink-identity' }, t('Unlink'));
    unlink.addEventListener('click', () => onUnlink(identity, unlink));
    return h(
      'li',
      { class: 'identity', testid: 'identity-row', dataset: { provider: identity.provider } },
      h('img', { src: iconUrl(identity.kind), alt: '', width: '28', height: '28', class: 'identity-icon' }),
      h(
        'div',
        { class: 'identity-main' },
        h('div', { class: 'identity-name' }, identity.name),
        h(
          'ul',
          { class: 'identity-meta' },
          identity.email ? h('li', {}, identity.email) : null,
          h('li', {}, t('Linked {date}', { date: formatDate(identity.created_at) })),
          h('li', {}, identity.last_used_at ? t('Last used {when}', { when: relativeTime(identity.last_used_at, ctx.clock.now()) }) : t('Not used to sign in yet')),
        ),
      ),
      unlink,
    );
  }

  async function onUnlink(identity, button) {
    const ok = await confirmAction({
      title: t('Unlink {provider}?', { provider: identity.name }),
      message: t('Your {provider} account will no longer sign you in here. You can link it again later.', { provider: identity.name }),
      confirmLabel: t('Unlink'),
    });
    if (!ok || !alive) return;
    error.clear();
    button.disabled = true;
    try {
      await federation.unlink(identity.id);
      if (!alive) return;
      if (ctx.toast) ctx.toast(t('{provider} unlinked.', { provider: identity.name }));
      load();
    } catch (err) {
      if (!alive) return;
      button.disabled = false;
      if (err instanceof ApiError && err.code === 'last_sign_in_method') {
        error.show(t('This is the only way you can sign in. Set a password (use “Forgot password?” on the sign-in page) or add a passkey first.'));
      } else {
        error.show(errorMessage(err));
      }
    }
  }
}
