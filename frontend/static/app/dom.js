// Tiny DOM helpers. User-supplied text only ever goes in as text nodes or
import { t } from './translate.js';
// textContent; there is no innerHTML anywhere in the app. No inline styles or
// inline handlers either (strict CSP): events are bound with addEventListener.

/**
 * h('button', {class: 'btn', testid: 'logout', on: {click: fn}}, 'Sign out')
 * props: class, testid, dataset, on, text, and plain attributes / boolean attributes.
 * Children: strings and numbers become text nodes; null/false/undefined are skipped.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    else if (key === 'testid') el.setAttribute('data-testid', value);
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'on') {
      for (const [type, fn] of Object.entries(value)) el.addEventListener(type, fn);
    } else if (key === 'style' || /^on/i.test(key)) {
      throw new Error(`h(): "${key}" is not allowed (CSP)`);
    } else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false || child === true) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace the children of el. */
export function setChildren(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Set text safely. */
export function setText(el, text) {
  el.textContent = text === null || text === undefined ? '' : String(text);
  return el;
}

/** An in-app link (handled by the router without a reload). */
export function link(href, props = {}, ...children) {
  return h('a', { href, 'data-link': true, ...props }, ...children);
}

let idSeq = 0;
export function uid(prefix = 'f') {
  idSeq += 1;
  return `${prefix}-${idSeq}`;
}

/**
 * A labelled form field with a slot for its error message.
 * Returns {wrap, input, error, setError(messages)}.
 */
export function field({ label, name, type = 'text', autocomplete, required = true, hint, value, inputProps = {} }) {
  const id = uid(name);
  const errorId = `${id}-error`;
  const hintId = hint ? `${id}-hint` : null;
  const input = h('input', {
    id,
    name,
    type,
    autocomplete,
    required,
    value,
    class: 'input',
    'aria-describedby': hintId || undefined,
    ...inputProps,
  });
  const error = h('p', { id: errorId, class: 'field-error', hidden: true });
  const wrap = h(
    'div',
    { class: 'field' },
    h('label', { for: id, class: 'label' }, label),
    input,
    hint ? h('p', { id: hintId, class: 'field-hint' }, hint) : null,
    error,
  );
  function setError(messages) {
    const list = (Array.isArray(messages) ? messages : messages ? [messages] : []).filter(Boolean);
    if (list.length) {
      setText(error, list.join(' '));
      error.hidden = false;
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', [hintId, errorId].filter(Boolean).join(' '));
    } else {
      setText(error, '');
      error.hidden = true;
      input.removeAttribute('aria-invalid');
      if (hintId) input.setAttribute('aria-describedby', hintId);
      else input.removeAttribute('aria-describedby');
    }
  }
  return { wrap, input, error, setError };
}

/** A password field with a show/hide toggle. */
export function passwordField(opts) {
  const f = field({ ...opts, type: 'password' });
  const toggle = h('button', {
    type: 'button',
    class: 'input-toggle',
    'aria-pressed': 'false',
    'aria-label': t('Show {field}', { field: opts.label.toLowerCase() }),
    on: {
      click: () => {
        const show = f.input.type === 'password';
        f.input.type = show ? 'text' : 'password';
        toggle.setAttribute('aria-pressed', String(show));
        setText(toggle, show ? t('Hide') : t('Show'));
      },
    },
  }, t('Show'));
  const group = h('div', { class: 'input-group' });
  f.input.replaceWith(group);
  group.append(f.input, toggle);
  return f;
}

/**
 * A field for choosing a password, showing the rules the server's validators
 * apply before the first submit. `rules` is api.passwordRules(): a promise of
 * the server's sentences (GET /api/auth/password-rules/); no copy lives here.
 */
export function newPasswordField({ label, name, rules }) {
  const f = passwordField({ label, name, autocomplete: 'new-password', hint: t('Loading the password rules…') });
  const hint = f.wrap.querySelector('.field-hint');
  const box = h('div', { id: hint.id, class: 'field-hint password-rules', testid: 'password-rules' });
  hint.replaceWith(box);
  setText(box, t('Loading the password rules…'));
  Promise.resolve(rules)
    .then((list) => {
      if (!Array.isArray(list) || !list.length) {
        setText(box, '');
        return;
      }
      setChildren(box, h('ul', { class: 'password-rules-list' }, list.map((rule) => h('li', {}, rule))));
    })
    .catch(() => setText(box, t('The rules are checked when you submit.')));
  return f;
}

/**
 * Client-side checks of a form: bad(field, message) marks a field;
 * failed() then shows the summary in the form's error box and focuses the
 * first bad field, and says whether anything was wrong.
 */
export function fieldCheck(error) {
  let first = null;
  return {
    bad(f, message) {
      f.setError(message);
      first = first || f;
    },
    failed() {
      if (!first) return false;
      error.show(t('Please correct the highlighted fields.'));
      first.input.focus();
      return true;
    },
  };
}

/**
 * The form-level message for a 400: the server's messages for fields the
 * form does not show, else its detail when no field already says it, else
 * a pointer to the highlighted fields.
 */
export function serverErrorSummary(err, shownFields) {
  const fields = err.fields || {};
  const other = Object.entries(fields)
    .filter(([name]) => !shownFields.includes(name))
    .flatMap(([, messages]) => messages);
  if (other.length) return other.join(' ');
  const shown = Object.values(fields).flat();
  return err.detail && !shown.includes(err.detail) ? err.detail : t('Please correct the highlighted fields.');
}

/** The form-level error box (data-testid="form-error"). */
export function formError() {
  const el = h('div', { class: 'alert alert-error', role: 'alert', testid: 'form-error', hidden: true });
  return {
    el,
    show(message) {
      setText(el, message);
      el.hidden = !message;
    },
    clear() {
      setText(el, '');
      el.hidden = true;
    },
  };
}

/** Put a submit button into (or out of) its busy state. */
export function setBusy(button, busy, busyLabel) {
  if (busy) {
    button.dataset.label = button.textContent;
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    setChildren(button, h('span', { class: 'spinner', 'aria-hidden': 'true' }), busyLabel || button.textContent);
  } else {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    setText(button, button.dataset.label || button.textContent);
  }
}

/** A centred loading indicator. */
export function loading(label = t('Loading…')) {
  return h('div', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), h('span', {}, label));
}

/** The page heading (data-testid="page-title"), focusable for route changes. */
export function pageTitle(text, sub) {
  return h(
    'div',
    { class: 'page-head' },
    h('h1', { class: 'page-title', testid: 'page-title', tabindex: '-1' }, text),
    sub ? h('p', { class: 'page-sub' }, sub) : null,
  );
}

/**
 * An error state with an optional "Try again" button; `retrying` says the page keeps trying by itself
 * (retry-load.js), so the user need not.
 */
export function errorState(message, onRetry, { retrying = false } = {}) {
  return h(
    'div',
    { class: 'state state-error', role: 'alert', testid: 'load-error' },
    h('p', { class: 'state-title' }, t('Couldn’t load this')),
    h('p', { class: 'state-text' }, message),
    retrying ? h('p', { class: 'state-text muted small' }, t('Trying again automatically: this shows as soon as Gatehouse answers.')) : null,
    onRetry ? h('button', { type: 'button', class: 'btn btn-secondary', on: { click: onRetry } }, t('Try again')) : null,
  );
}

/** Append children, skipping null/false/undefined (Element.append would print "null"). */
export function add(el, ...children) {
  append(el, children);
  return el;
}
