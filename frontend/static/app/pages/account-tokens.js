// Account page, "Personal access tokens": list, create (the token shown once,
// with a copy button), revoke (asks first, then a toast). Mounted by
// account.js; its own module so the account page's other sections stay apart.
// The scopes offered are the ones the server's routes declare
// (GET /api/auth/tokens/scopes/), each a checkbox with its description.
import { add, h, field, formError, setBusy, setChildren, setText, loading, errorState, serverErrorSummary } from '../dom.js';
import { AuthError, ApiError, errorMessage } from '../api.js';
import { formatDate, relativeTime } from '../format.js';
import { confirmAction } from '../confirm.js';

const TOKENS = '/api/auth/tokens/';
const SCOPES = '/api/auth/tokens/scopes/';
const EXPIRY_CHOICES = [
  [7, '7 days'],
  [30, '30 days'],
  [90, '90 days'],
  [365, '1 year'],
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
    label: 'Token name',
    name: 'token_name',
    autocomplete: 'off',
    hint: 'What will use it, such as “nightly backup” or “CI deploy”.',
    inputProps: { maxlength: '100' },
  });
  const expiry = selectField({ label: 'Expires after', name: 'expires_in_days', choices: EXPIRY_CHOICES, value: DEFAULT_EXPIRY });
  const scopes = scopeFieldset();
  const error = formError();
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create token');
  const form = h(
    'form',
    { class: 'form token-form', testid: 'token-form', novalidate: true, 'aria-label': 'Create a personal access token', on: { submit: onCreate } },
    error.el,
    h('div', { class: 'token-form-fields' }, name.wrap, expiry.wrap),
    scopes.wrap,
    h('div', { class: 'token-form-submit' }, submit),
  );
  const reveal = h('div', { class: 'token-reveal', testid: 'new-token-panel', hidden: true });
  const listError = formError();
  const listWrap = h('div', { class: 'token-list-wrap' }, loading('Loading tokens…'));

  add(
    container,
    h(
      'section',
      { class: 'card token-card', 'aria-labelledby': 'card-tokens', testid: 'tokens-section' },
      h('h2', { class: 'card-title', id: 'card-tokens' }, 'Personal access tokens'),
      h(
        'p',
        { class: 'muted small' },
        'For scripts and CI jobs: send a token as ',
        h('code', {}, 'Authorization: Bearer <token>'),
        ' to read your account’s data through the API; it can do only what its scopes allow. ',
        'A token cannot manage sessions, tokens, sign-in methods, your email or your password. ',
        'Signing out everywhere and changing your password leave tokens working; a password reset ends them all.',
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
      name.setError('Give the token a name.');
      name.input.focus();
      return;
    }
    const chosen = scopes.chosen();
    if (!chosen.length) {
      scopes.setError('Choose at least one scope: what the token may do.');
      scopes.focus();
      return;
    }
    creating = true;
    setBusy(submit, true, 'Creating…');
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
      'aria-label': `Your new token “${created.name}”`,
      'aria-describedby': 'new-token-warning',
      on: { focus: (e) => e.target.select() },
    });
    const copyStatus = h('span', { class: 'token-copy-status small', role: 'status' });
    const copy = h('button', { type: 'button', class: 'btn btn-secondary', testid: 'copy-token' }, 'Copy');
    copy.addEventListener('click', async () => {
      const ok = await copyText(created.token);
      if (!alive) return;
      if (ok) {
        setText(copy, 'Copied');
        setText(copyStatus, 'Copied to the clipboard.');
      } else {
        value.focus();
        value.select();
        setText(copyStatus, 'Selected: press Ctrl+C (⌘C on a Mac) to copy.');
      }
    });
    const done = h('button', { type: 'button', class: 'btn btn-secondary', testid: 'token-done' }, 'Done');
    done.addEventListener('click', () => {
      setChildren(reveal); // the token leaves the page with its panel
      reveal.hidden = true;
      name.input.focus();
    });
    setChildren(
      reveal,
      h('h3', { class: 'token-reveal-title' }, `Your new token “${created.name}”`),
      h(
        'p',
        { class: 'alert alert-warning', id: 'new-token-warning' },
        h('strong', {}, 'Copy it now: it won’t be shown again. '),
        'Keep it somewhere safe, such as your CI’s secret store. Anyone who has it can read your account’s data until ',
        formatDate(created.expires_at),
        '.',
      ),
      h('div', { class: 'token-copy-row' }, value, copy),
      copyStatus,
      h(
        'p',
        { class: 'muted small token-example' },
        'Try it: ',
        h('code', {}, `curl -H "Authorization: Bearer $GATEHOUSE_TOKEN" ${originOf(container)}/api/auth/me/`),
      ),
      h('div', { class: 'card-actions' }, done),
    );
    reveal.hidden = false;
    ctx.announce(`Token “${created.name}” created. Copy it now: it won’t be shown again.`);
    value.focus();
  }

  // ---- list --------------------------------------------------------------------

  function row(t) {
    const now = store.serverNow();
    const revoke = h(
      'button',
      { type: 'button', class: 'btn btn-secondary btn-sm', testid: 'revoke-token', 'aria-label': `Revoke token ${t.name}` },
      'Revoke',
    );
    const li = h(
      'li',
      { class: ['token-row', t.expired && 'is-expired'], testid: 'token-row', dataset: { tokenId: String(t.id) } },
      h(
        'div',
        { class: 'token-main' },
        h(
          'p',
          { class: 'token-title' },
          h('span', { class: 'token-name' }, t.name),
          h('code', { class: 'token-prefix' }, `${t.prefix}…`),
          t.expired ? h('span', { class: 'badge badge-muted' }, 'Expired') : null,
        ),
        h(
          'ul',
          { class: 'session-meta token-meta' },
          h(
            'li',
            { class: 'token-scopes', testid: 'token-row-scopes' },
            h('span', { class: 'meta-label' }, 'Scopes '),
            (t.scopes || []).length ? (t.scopes || []).map((name) => h('code', { class: 'token-scope' }, name)) : 'none',
          ),
          h('li', {}, h('span', { class: 'meta-label' }, 'Created '), formatDate(t.created_at)),
          h('li', {}, h('span', { class: 'meta-label' }, t.expired ? 'Expired ' : 'Expires '), formatDate(t.expires_at)),
          h(
            'li',
            {},
            h('span', { class: 'meta-label' }, 'Last used '),
            t.last_used_at ? `${relativeTime(t.last_used_at, now)}${t.last_used_ip ? ` from ${t.last_used_ip}` : ''}` : 'never',
          ),
        ),
      ),
      h('div', { class: 'token-actions' }, revoke),
    );
    revoke.addEventListener('click', async () => {
      listError.clear();
      const sure = await confirmAction({
        title: 'Revoke this token?',
        message: `Scripts using “${t.name}” (${t.prefix}…) will stop working at once. This can’t be undone.`,
        confirmLabel: 'Revoke token',
      });
      if (!sure || !alive) return;
      setBusy(revoke, true, 'Revoking…');
      try {
        await api.request(`${TOKENS}${encodeURIComponent(t.id)}/`, { method: 'DELETE' });
        if (!alive) return;
        li.remove();
        showEmptyIfNone();
        ctx.toast(`Token “${t.name}” revoked.`);
      } catch (err) {
        if (!alive || err instanceof AuthError) return;
        setBusy(revoke, false);
        if (err instanceof ApiError && err.status === 404) {
          li.remove();
          showEmptyIfNone();
          listError.show('That token had already been revoked.');
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
    if (!ul || !ul.children.length) setChildren(listWrap, h('p', { class: 'state token-empty', testid: 'tokens-empty' }, 'No personal access tokens yet.'));
  }

  function prepend(t) {
    let ul = list();
    if (!ul) {
      ul = h('ul', { class: 'token-list', 'aria-label': 'Your personal access tokens' });
      setChildren(listWrap, ul);
    }
    ul.prepend(row(t));
  }

  async function load() {
    const [data, offered] = await Promise.all([api.request(TOKENS), api.request(SCOPES)]);
    if (!alive) return;
    scopes.offer(Array.isArray(offered) ? offered : []);
    const tokens = Array.isArray(data) ? data : [];
    if (!tokens.length) showEmptyIfNone();
    else setChildren(listWrap, h('ul', { class: 'token-list', 'aria-label': 'Your personal access tokens' }, tokens.map(row)));
  }

  setChildren(listWrap, loading('Loading tokens…'));
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
  const boxes = h('div', { class: 'token-scope-choices' }, h('p', { class: 'muted small' }, 'Loading scopes…'));
  const wrap = h(
    'fieldset',
    { class: 'token-scope-fieldset', testid: 'token-scopes' },
    h('legend', { class: 'label' }, 'What it may do'),
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
