// "Continue with …": one button per sign-in provider, with its icon (our own
// SVG files under /static/app/providers/, loaded as images: nothing inline,
// nothing from anyone else), for the login and sign-up pages and "Confirm it's
// you". A click starts the sign-in there (federation.js); the browser leaves.
import { h, setText } from './dom.js';
import { errorMessage } from './error-text.js';
import { interpolate } from './i18n.js';
import { t } from './translate.js';

const KINDS = new Set(['oidc', 'google', 'microsoft', 'gitlab', 'github']);

/** The icon of a provider kind (an unknown kind gets the generic OpenID one). */
export function iconUrl(kind) {
  return `/static/app/providers/${KINDS.has(kind) ? kind : 'oidc'}.svg`;
}

/**
 * @param {object} opts
 * @param {Array<{slug: string, name: string, kind: string}>} opts.providers
 * @param {(provider: object) => Promise<void>} opts.choose  leave for the provider (rejects when it cannot)
 * @param {{show: (message: string) => void, clear: () => void}} opts.error  where a failure is said
 * @param {string} [opts.verb]  the button's text with a {provider} placeholder, already translated ("Continue with {provider}")
 * @param {string} [opts.testid]
 * @returns {HTMLElement|null}  null when there is no provider
 */
export function providerButtons({ providers, choose, error, verb = t('Continue with {provider}'), testid = 'provider-button' }) {
  if (!Array.isArray(providers) || providers.length === 0) return null;
  let busy = false;
  const buttons = providers.map((provider) => {
    const label = h('span', {}, interpolate(verb, { provider: provider.name }));
    const button = h(
      'button',
      { type: 'button', class: 'btn btn-secondary btn-block provider-button', testid, dataset: { provider: provider.slug } },
      h('img', { src: iconUrl(provider.kind), alt: '', width: '20', height: '20', class: 'provider-icon' }),
      label,
    );
    const setBusy = (on) => {
      button.disabled = on;
      if (on) button.setAttribute('aria-busy', 'true');
      else button.removeAttribute('aria-busy');
      setText(label, on ? t('Opening {provider}…', { provider: provider.name }) : interpolate(verb, { provider: provider.name }));
    };
    button.addEventListener('click', async () => {
      if (busy) return;
      busy = true;
      error.clear();
      setBusy(true);
      try {
        await choose(provider);
        // The browser is leaving; the button stays busy until it has.
      } catch (err) {
        busy = false;
        setBusy(false);
        error.show(errorMessage(err));
      }
    });
    return button;
  });
  return h('div', { class: 'provider-buttons' }, buttons);
}
