// The language picker (UI hook `language-select`): on the login page and the account page. The choice is
// saved on the account when signed in (PATCH /api/auth/me/ `language`, so the server's messages and mail
// follow), or in this browser while signed out; the page is then drawn again in the new language.
import { h } from './dom.js';

/**
 * A <select> of the offered languages, each named in its own language (GET /api/auth/languages/).
 * ctx.language: {languages, current, choose(code)} from main.js; null (no picker) when there is only one.
 */
export function languageSelect(ctx, { id = 'language-select' } = {}) {
  const language = ctx.language;
  if (!language || !Array.isArray(language.languages) || language.languages.length < 2) return null;
  const t = ctx.t || ((text) => text);
  const select = h(
    'select',
    { id, class: 'input select language-select', testid: 'language-select', on: { change: onChange } },
    language.languages.map(({ code, name, direction }) =>
      h('option', { value: code, lang: code, dir: direction, selected: code === language.current }, name)),
  );
  const wrap = h('div', { class: 'language-picker' }, h('label', { for: id, class: 'label' }, t('Language')), select);

  async function onChange() {
    select.disabled = true;
    try {
      await language.choose(select.value);
    } catch (err) {
      select.value = language.current; // not saved: the picker shows the language still in use
      if (ctx.toast) ctx.toast(t('The language could not be saved. Try again.'));
    } finally {
      select.disabled = false;
    }
    // Drawn again in the chosen language (the route stays).
    ctx.navigate(`${ctx.location.pathname}${ctx.location.search || ''}`, { replace: true });
  }
  return wrap;
}
