// Two-step sign-in as one state, whichever factors make it: an authenticator
// app, passkeys, or both. The server asks for a second step as soon as the
// account has any factor (User.mfa_enabled), so the page must say "On" then
// too, name the factors, and offer recovery codes. And what a re-authentication
// may use: only what the account has. Pure: no DOM, unit-tested.
import { currentLocale, t } from './translate.js';

/**
 * @param {{enabled?: boolean, totp?: {enabled?: boolean, confirmed_at?: string|null, last_used_at?: string|null},
 *          recovery_codes?: {total?: number, remaining?: number}}} mfa  GET /api/auth/mfa/
 * @param {Array<object>} passkeys  GET /api/auth/passkeys/
 */
export function twoStepState(mfa, passkeys) {
  const totp = !!(mfa && mfa.totp && mfa.totp.enabled);
  const count = Array.isArray(passkeys) ? passkeys.length : 0;
  const codes = (mfa && mfa.recovery_codes) || {};
  const on = !!(mfa && mfa.enabled) || totp || count > 0;
  const factors = [];
  if (totp) factors.push(t('authenticator app'));
  if (count) factors.push(count === 1 ? t('a passkey') : t('{count} passkeys', { count }));
  return {
    on,
    totp,
    passkeys: count,
    factors,
    recoveryCodes: { total: codes.total || 0, remaining: codes.remaining || 0 },
    /** "On: authenticator app and a passkey", "Off". */
    summary: on ? t('On: {factors}', { factors: listOf(factors, 'conjunction') || t('a second factor') }) : t('Off'),
  };
}

/** What a second step asks for, in words: "a code from your authenticator app or a passkey". */
export function secondStepWords(state) {
  const ways = [];
  if (state.totp) ways.push(t('a code from your authenticator app'));
  if (state.passkeys) ways.push(state.passkeys === 1 ? t('your passkey') : t('one of your passkeys'));
  return listOf(ways, 'disjunction');
}

/** "A and B", "A, B or C": joined by Intl.ListFormat in the app's language. */
export function listOf(items, type = 'conjunction') {
  return new Intl.ListFormat(currentLocale(), { style: 'long', type }).format(items);
}

/**
 * What the "Confirm it's you" dialog may offer besides the password: a code
 * when the account has an authenticator app or unused recovery codes, a
 * passkey when it has one and this browser and server can use it.
 * @returns {{code: 'totp'|'recovery'|null, passkey: boolean}}
 */
export function reauthOptions(mfa, passkeys, { passkeysUsable = true } = {}) {
  const state = twoStepState(mfa, passkeys);
  const code = state.totp ? 'totp' : state.recoveryCodes.remaining > 0 ? 'recovery' : null;
  return { code, passkey: passkeysUsable && state.passkeys > 0 };
}
