// MFA_REQUIRED on the account page: a session that must enrol a second factor is led here
// (router.resolve) with where it was going in ?next=. This notice says why; once a factor is
// on (the two-step and passkey sections call check()), the server says so on /me and the notice
// offers the way back, after the recovery codes had a chance to be saved.
import { h, link, setChildren } from './dom.js';
import { safeNext } from './router.js';
import { t } from './translate.js';

/** @returns {{el: HTMLElement|null, check: () => Promise<void>}} */
export function enrolmentNotice(ctx) {
  if (!ctx.user || !ctx.user.mfa_enrollment_required) return { el: null, check: async () => {} };
  const el = h(
    'div',
    { class: 'alert alert-warning', role: 'status', testid: 'mfa-enrollment-required' },
    h('strong', {}, t('Set up two-step sign-in to continue.')),
    ' ',
    t('This server requires a second factor for your account: add an authenticator app or a passkey below. Until then, only this page is available.'),
  );

  async function check() {
    let user;
    try {
      user = await ctx.api.me();
    } catch {
      return; // the next page load asks again
    }
    ctx.setUser(user);
    if (user.mfa_enrollment_required) return;
    const next = safeNext(new URLSearchParams((ctx.location && ctx.location.search) || '').get('next'));
    el.className = 'alert alert-success';
    setChildren(el,
      h('strong', {}, t('Two-step sign-in is on.')),
      ' ',
      t('Save your recovery codes, then continue.'),
      ' ',
      link(next, { class: 'btn btn-primary btn-sm', testid: 'enrolment-continue' }, t('Continue')),
    );
    ctx.announce(t('Two-step sign-in is on. You can continue.'));
  }

  return { el, check };
}
