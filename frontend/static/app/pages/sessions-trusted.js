// Trusted devices, on the sessions page: the browsers whose password logins skip the second step
// ("Trust this device" at a second step). Each can be removed; all end on a password change or
// reset and on any change of second factors (the server's rule; here they are only listed).
import { add, h, setChildren, loading, errorState, formError, setBusy } from '../dom.js';
import { AuthError, ApiError } from '../api.js';
import { formatDateTime } from '../format.js';
import { confirmAction } from '../confirm.js';
import { t } from '../translate.js';
import { errorMessage } from '../error-text.js';

/** Append the "Trusted devices" section to `container`; returns its dispose. */
export function mountTrustedDevices(container, ctx) {
  const { api } = ctx;
  let alive = true;
  const error = formError();
  const body = h('div', {}, loading(t('Loading trusted devices…')));
  add(container,
    h(
      'section',
      { class: 'card grid-section', 'aria-labelledby': 'card-trusted-devices', testid: 'trusted-devices' },
      h('h2', { class: 'card-title', id: 'card-trusted-devices' }, t('Trusted devices')),
      h('p', { class: 'muted small' },
        t('Browsers where you chose “Trust this device” at two-step sign-in: they sign in with your password alone. They all stop being trusted when you change your password or your second factors.')),
      error.el,
      body,
    ),
  );

  function row(device) {
    const label = device.device || t('Unknown device');
    const remove = h(
      'button',
      { type: 'button', class: 'btn btn-secondary btn-sm', testid: 'remove-trusted-device', 'aria-label': t('Stop trusting {device}', { device: label }) },
      t('Remove'),
    );
    const li = h(
      'li',
      { class: ['session', device.current && 'is-current'], testid: 'trusted-device-row', dataset: { deviceId: String(device.id) } },
      h('div', { class: 'device-icon device-desktop', 'aria-hidden': 'true' }),
      h(
        'div',
        { class: 'session-main' },
        h('p', { class: 'session-title' }, h('span', {}, label),
          device.current ? h('span', { class: 'badge badge-success' }, t('This browser')) : null),
        h(
          'ul',
          { class: 'session-meta' },
          h('li', {}, h('span', { class: 'meta-label' }, t('IP ')), device.ip_address || t('unknown')),
          h('li', {}, h('span', { class: 'meta-label' }, t('Trusted ')), formatDateTime(device.created_at)),
          h('li', {}, h('span', { class: 'meta-label' }, t('Last used ')),
            device.last_used_at ? formatDateTime(device.last_used_at) : t('not yet')),
        ),
      ),
      h('div', { class: 'session-actions' }, remove),
    );
    remove.addEventListener('click', async () => {
      error.clear();
      const sure = await confirmAction({
        title: t('Stop trusting this device?'),
        message: t('{device} will ask for your second step again at its next sign-in.', { device: label }),
        confirmLabel: t('Stop trusting'),
      });
      if (!sure || !alive) return;
      setBusy(remove, true, t('Removing…'));
      try {
        await api.removeTrustedDevice(device.id);
        if (!alive) return;
        li.remove();
        showEmptyIfNone();
        ctx.toast(t('{device} is no longer trusted.', { device: label }));
      } catch (err) {
        if (!alive || err instanceof AuthError) return;
        setBusy(remove, false);
        if (err instanceof ApiError && err.status === 404) {
          li.remove();
          showEmptyIfNone();
          error.show(t('That device was no longer trusted.'));
        } else {
          error.show(errorMessage(err));
        }
      }
    });
    return li;
  }

  function showEmptyIfNone() {
    if (!body.querySelector('[data-testid="trusted-device-row"]')) {
      setChildren(body, h('p', { class: 'state', testid: 'no-trusted-devices' }, t('No trusted devices.')));
    }
  }

  const loader = ctx.loadUntilAnswered({
    load: async () => {
      const devices = await api.trustedDevices();
      if (!alive) return;
      if (!Array.isArray(devices) || !devices.length) {
        setChildren(body);
        showEmptyIfNone();
        return;
      }
      setChildren(body, h('ul', { class: 'session-list' }, devices.map(row)));
    },
    onFailure(err, info) {
      if (!alive || err instanceof AuthError) return;
      setChildren(body, errorState(errorMessage(err), () => loader.retryNow(), info));
    },
  });

  return () => {
    alive = false;
    loader.stop();
  };
}
