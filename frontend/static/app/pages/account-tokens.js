// Account page, "Personal access tokens": list, create (the token shown once,
// with a copy button), revoke (asks first, then a toast). Mounted by
// account.js; its own module so the account page's other sections stay apart.
// The scopes offered are the ones the server's routes declare
// (GET /api/auth/tokens/scopes/), each a checkbox with its description.
import { add, h, field, formError, setBusy, setChildren, setText, loading, errorState, serverErrorSummary } from '../dom.js';
import { AuthError, ApiError } from '../api.js';
import { formatDate, relativeTime } from '../format.js';
import { confirmAction } from '../confirm.js';
import { t, tNodes } from '../translate.js';
import { errorMessage } from '../error-text.js';

const TOKENS = '/api/auth/tokens/';
const SCOPES = '/api/auth/tokens/scopes/';
const EXPIRY_CHOICES = () => [
  [7, t('{count} days', { count: 7 })],
  [30, t('{count} days', { count: 30 })],
  [90, t('{count} days', { count: 90 })],
  [365, t('1 year')],
];
const DEFAULT_EXPIRY = 30;

/**
 * @param {HTMLElement} container  the account page; the section is appended to it
 * @param {object} ctx             the page context (api, store, toast, announce)
 * @returns {() => void} dispose
 */
export function mountTokens(container, ctx) {
  const { api, store } = ctx;
  let alive = true;

  const name = field({
    label: t('Token name'),
    name: 'token_name',
    autocomplete: 'off',
    hint: t('What will use it, such as “nightly backup” or “CI deploy”.'),
    inputProps: { maxlength: '100' },
  });
  const expiry = selectField({ label: t('Expires after'), name: 'expires_in_days', choices: EXPIRY_CHOICES(), value: DEFAULT_EXPIRY });
  const scopes = scopeFieldset();
  const error = formError();
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('Create token'));
  const form = h(
    'form',
    { class: 'form token-form', testid: 'token-form', novalidate: true, 'aria-label': t('Create a personal access token'), on: { submit: onCreate } },
    error.el,
    h('div', { class: 'token-form-fields' }, name.wrap, expiry.wrap),
    scopes.wrap,
    h('div', { class: 'token-form-submit' }, submit),
  );
  const reveal = h('div', { class: 'token-reveal', testid: 'new-token-panel', hidden: true });
  const listError = formError();
  const listWrap = h('div', { class: 'token-list-wrap' }, loading(t('Loading tokens…')));

  add(
    container,
    h(
      'section',
      { class: 'card token-card', 'aria-labelledby': 'card-tokens', testid: 'tokens-section' },
      h('h2', { class: 'card-title', id: 'card-tokens' }, t('Personal access tokens')),
      h(
        'p',
        { class: 'muted small' },
        tNodes(t('For scripts and CI jobs: send a token as {header} to read your account’s data through the API; it can do only what its scopes allow. A token cannot manage sessions, tokens, sign-in methods, your email or your password. Signing out everywhere and changing your password leave tokens working; a password reset ends them all.'), {
          header: h('code', {}, 'Authorization: Bearer <token>'),
        }),
      ),
      reveal,
      form,
      listError.el,
      listWrap,
    ),
  );

  // ---- create ----------------------------------------------------------------

  let creating = false;
  async function onCreate(event) {
    event.preventDefault();
    if (creating) return;
    error.clear();
    name.setError(null);
    expiry.setError(null);
    scopes.setError(null);
    const label = name.input.value.trim();
    if (!label) {
      name.setError(t('Give the token a name.'));
      name.input.focus();
      return;
    }
    const chosen = scopes.chosen();
    if (!chosen.length) {
      scopes.setError(t('Choose at least one scope: what the token may do.'));
      scopes.focus();
      return;
    }
    creating = true;
    setBusy(submit, true, t('Creating…'));
    try {
      const created = await api.request(TOKENS, {
        method: 'POST',
        body: { name: label, expires_in_days: Number(expiry.select.value), scopes: chosen },
      });
      if (!alive) return;
      form.reset();
      expiry.select.value = String(DEFAULT_EXPIRY);
      showToken(created);
      prepend(created);
    } catch (err) {
      if (!alive || err instanceof AuthError) return;
      if (err instanceof ApiError && err.status === 400) {
        const fields = err.fields || {};
        name.setError(fields.name);
        expiry.setError(fields.expires_in_days);
        scopes.setError(fields.scopes);
        error.show(serverErrorSummary(err, ['name', 'expires_in_days', 'scopes']));
        if (fields.name) name.input.focus();
      } else {
        error.show(errorMessage(err));
      }
    } finally {
      creating = false;
      if (alive) setBusy(submit, false);
    }
  }

  /** The new token, once: a read-only field, a copy button, and what to do with it. */
  function showToken(created) {
    const value = h('input', {
      class: 'input token-value',
      testid: 'new-token',
      readonly: true,
      value: created.token,
      spellcheck: 'false',
      autocomplete: 'off',
      'aria-label': t('Your new token “{name}”', { name: created.name }),
      'aria-describedby': 'new-token-warning',
      on: { focus: (e) => e.target.select() },
    });
    const copyStatus = h('span', { class: 'token-copy-status small', role: 'status' });
    const copy = h('button', { type: 'button', class: 'btn btn-secondary', testid: 'copy-token' }, t('Copy'));
    copy.addEventListener('click', async () => {
      const ok = await copyText(created.token);
      if (!alive) return;
      if (ok) {
        setText(copy, t('Copied'));
        setText(copyStatus, t('Copied to the clipboard.'));
      } else {
        value.focus();
        value.select();
        setText(copyStatus, t('Selected: press Ctrl+C (⌘C on a Mac) to copy.'));
      }
    });
    const done = h('button', { type: 'button', class: 'btn btn-secondary', testid: 'token-done' }, t('Done'));
    done.addEventListener('click', () => {
      setChildren(reveal); // the token leaves the page with its panel
      reveal.hidden = true;
      name.input.focus();
    });
    setChildren(
      reveal,
      h('h3', { class: 'token-reveal-title' }, t('Your new token “{name}”', { name: created.name })),
      h(
        'p',
        { class: 'alert alert-warning', id: 'new-token-warning' },
        h('strong', {}, t('Copy it now: it won’t be shown again.')),
        ' ',
        t('Keep it somewhere safe, such as your CI’s secret store. Anyone who has it can read your account’s data until {date}.', { date: formatDate(created.expires_at) }),
      ),
      h('div', { class: 'token-copy-row' }, value, copy),
      copyStatus,
      h(
        'p',
        { class: 'muted small token-example' },
        t('Try it:'),
        ' ',
        h('code', {}, `curl -H "Authorization: Bearer $GATEHOUSE_TOKEN" ${originOf(container)}/api/auth/me/`),
      ),
      h('div', { class: 'card-actions' }, done),
    );
    reveal.hidden = false;
    ctx.announce(t('Token “{name}” created. Copy it now: it won’t be shown again.', { name: created.name }));
    value.focus();
  }

  // ---- list --------------------------------------------------------------------

  function row(tok) {
    const now = store.serverNow();
    const revoke = h(
      'button',
      { type: 'button', class: 'btn btn-secondary btn-sm', testid: 'revoke-token', 'aria-label': t('Revoke token {name}', { name: tok.name }) },
      t('Revoke'),
    );
    const li = h(
      'li',
      { class: ['token-row', tok.expired && 'is-expired'], testid: 'token-row', dataset: { tokenId: String(tok.id) } },
      h(
        'div',
        { class: 'token-main' },
        h(
          'p',
          { class: 'token-title' },
          h('span', { class: 'token-name' }, tok.name),
          h('code', { class: 'token-prefix' }, `${tok.prefix}…`),
          tok.expired ? h('span', { class: 'badge badge-muted' }, t('Expired')) : null,
        ),
        h(
          'ul',
          { class: 'session-meta token-meta' },
          h(
            'li',
            { class: 'token-scopes', testid: 'token-row-scopes' },
            h('span', { class: 'meta-label' }, t('Scopes ')),
            (tok.scopes || []).length ? (tok.scopes || []).map((name) => h('code', { class: 'token-scope' }, name)) : t('none'),
          ),
          h('li', {}, h('span', { class: 'meta-label' }, t('Created ')), formatDate(tok.created_at)),
          h('li', {}, h('span', { class: 'meta-label' }, tok.expired ? t('Expired ') : t('Expires ')), formatDate(tok.expires_at)),
          h(
            'li',
            {},
            h('span', { class: 'meta-label' }, t('Last used ')),
            tok.last_used_at
              ? (tok.last_used_ip ? t('{when} from {ip}', { when: relativeTime(tok.last_used_at, now), ip: tok.last_used_ip }) : relativeTime(tok.last_used_at, now))
              : t('never'),
          ),
        ),
      ),
      h('div', { class: 'token-actions' }, revoke),
    );
    revoke.addEventListener('click', async () => {
      listError.clear();
      const sure = await confirmAction({
        title: t('Revoke this token?'),
        message: t('Scripts using “{name}” ({prefix}…) will stop working at once. This can’t be undone.', { name: tok.name, prefix: tok.prefix }),
        confirmLabel: t('Revoke token'),
      });
      if (!sure || !alive) return;
      setBusy(revoke, true, t('Revoking…'));
      try {
        await api.request(`${TOKENS}${encodeURIComponent(tok.id)}/`, { method: 'DELETE' });
        if (!alive) return;
        li.remove();
        showEmptyIfNone();
        ctx.toast(t('Token “{name}” revoked.', { name: tok.name }));
      } catch (err) {
        if (!alive || err instanceof AuthError) return;
        setBusy(revoke, false);
        if (err instanceof ApiError && err.status === 404) {
          li.remove();
          showEmptyIfNone();
          listError.show(t('That token had already been revoked.'));
        } else {
          listError.show(errorMessage(err));
        }
      }
    });
    return li;
  }

  function list() {
    return listWrap.querySelector('.token-list');
  }

  function showEmptyIfNone() {
    const ul = list();
    if (!ul || !ul.children.length) setChildren(listWrap, h('p', { class: 'state token-empty', testid: 'tokens-empty' }, t('No personal access tokens yet.')));
  }

  function prepend(tok) {
    let ul = list();
    if (!ul) {
      ul = h('ul', { class: 'token-list', 'aria-label': t('Your personal access tokens') });
      setChildren(listWrap, ul);
    }
    ul.prepend(row(tok));
  }

  async function load() {
    const [data, offered] = await Promise.all([api.request(TOKENS), api.request(SCOPES)]);
    if (!alive) return;
    scopes.offer(Array.isArray(offered) ? offered : []);
    const tokens = Array.isArray(data) ? data : [];
    if (!tokens.length) showEmptyIfNone();
    else setChildren(listWrap, h('ul', { class: 'token-list', 'aria-label': t('Your personal access tokens') }, tokens.map(row)));
  }

  setChildren(listWrap, loading(t('Loading tokens…')));
  // Retried until the server answers (retry-load.js).
  const loader = ctx.loadUntilAnswered({
    load,
    onFailure(err, info) {
      if (!alive || err instanceof AuthError) return;
      setChildren(listWrap, errorState(errorMessage(err), () => loader.retryNow(), info));
    },
  });
  return () => {
    alive = false;
    loader.stop();
  };
}

/**
 * The scopes as checkboxes, each with its description: {wrap, offer(list), chosen(), setError, focus}.
 * Filled once the server has listed them; none is ticked beforehand (a token gets only what is chosen).
 */
function scopeFieldset() {
  const errorEl = h('p', { id: 'token-scopes-error', class: 'field-error', hidden: true });
  const boxes = h('div', { class: 'token-scope-choices' }, h('p', { class: 'muted small' }, t('Loading scopes…')));
  const wrap = h(
    'fieldset',
    { class: 'token-scope-fieldset', testid: 'token-scopes' },
    h('legend', { class: 'label' }, t('What it may do')),
    boxes,
    errorEl,
  );
  function offer(list) {
    const ticked = new Set(chosen());
    setChildren(
      boxes,
      list.map((scope, i) => {
        const id = `token-scope-${i}`;
        const box = h('input', {
          type: 'checkbox', id, name: 'scopes', value: scope.name, testid: 'token-scope', checked: ticked.has(scope.name),
        });
        box.setAttribute('aria-describedby', `${id}-hint`);
        return h(
          'div',
          { class: 'check token-scope-choice' },
          box,
          h('label', { for: id }, h('code', {}, scope.name)),
          h('p', { class: 'field-hint', id: `${id}-hint` }, scope.description),
        );
      }),
    );
  }
  function chosen() {
    return [...boxes.querySelectorAll('input[name="scopes"]')].filter((box) => box.checked).map((box) => box.value);
  }
  function setError(messages) {
    const list = (Array.isArray(messages) ? messages : messages ? [messages] : []).filter(Boolean);
    setText(errorEl, list.join(' '));
    errorEl.hidden = !list.length;
    if (list.length) wrap.setAttribute('aria-describedby', errorEl.id);
    else wrap.removeAttribute('aria-describedby');
  }
  function focus() {
    const first = boxes.querySelector('input[name="scopes"]');
    if (first) first.focus();
  }
  return { wrap, offer, chosen, setError, focus };
}

/** A labelled <select> in the style of dom.js's fields: {wrap, select, setError}. */
function selectField({ label, name, choices, value }) {
  const id = `${name}-select`;
  const errorEl = h('p', { id: `${id}-error`, class: 'field-error', hidden: true });
  const select = h(
    'select',
    { id, name, class: 'input select' },
    choices.map(([days, text]) => h('option', { value: String(days), selected: days === value }, text)),
  );
  const wrap = h('div', { class: 'field' }, h('label', { for: id, class: 'label' }, label), select, errorEl);
  function setError(messages) {
    const list = (Array.isArray(messages) ? messages : messages ? [messages] : []).filter(Boolean);
    setText(errorEl, list.join(' '));
    errorEl.hidden = !list.length;
    if (list.length) {
      select.setAttribute('aria-invalid', 'true');
      select.setAttribute('aria-describedby', errorEl.id);
    } else {
      select.removeAttribute('aria-invalid');
      select.removeAttribute('aria-describedby');
    }
  }
  return { wrap, select, setError };
}

/** Write to the clipboard; false where the browser refuses (no permission, not a secure context). */
async function copyText(text) {
  try {
    const clipboard = globalThis.navigator && globalThis.navigator.clipboard;
    if (!clipboard || typeof clipboard.writeText !== 'function') return false;
    await clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

function originOf(node) {
  const loc = node.ownerDocument && node.ownerDocument.location;
  return loc ? loc.origin : '';
}
