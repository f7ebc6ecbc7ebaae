// What went wrong, in the app's language. The client package (frontend/client) words its own fallbacks
// in English (errorMessage, ceremonyErrorMessage); the app says them through t(). A server's `detail`
// already comes in the app's language (the request's Accept-Language, or the account's saved one) and
// is shown as it is.
import { ApiError, errorMessage as apiEnglish } from './api.js';
import { ceremonyErrorMessage as ceremonyEnglish } from './webauthn.js';
import { t } from './translate.js';

// The package's own texts, each with its translation (the ids are the package's English words).
const SAID = {
  'Your session has ended. Please sign in again.': () => t('Your session has ended. Please sign in again.'),
  'Too many requests right now. Please wait a moment and try again.': () => t('Too many requests right now. Please wait a moment and try again.'),
  'Gatehouse can’t be reached right now. Check your connection and try again.': () => t('Gatehouse can’t be reached right now. Check your connection and try again.'),
  'Too many attempts. Try again shortly.': () => t('Too many attempts. Try again shortly.'),
  'You don’t have permission to do that.': () => t('You don’t have permission to do that.'),
  'Something went wrong.': () => t('Something went wrong.'),
  'Something went wrong. Please try again.': () => t('Something went wrong. Please try again.'),
  'No passkey was used: it was cancelled or took too long.': () => t('No passkey was used: it was cancelled or took too long.'),
  'This device already has a passkey for your account.': () => t('This device already has a passkey for your account.'),
  'Passkeys do not work on this address. Open the site by its domain name.': () => t('Passkeys do not work on this address. Open the site by its domain name.'),
  'This device cannot make a passkey Gatehouse accepts.': () => t('This device cannot make a passkey Gatehouse accepts.'),
};

const said = (text) => (text && Object.prototype.hasOwnProperty.call(SAID, text) ? SAID[text]() : text);

/** A message for the user about `err` (the package's errorMessage), in the app's language. */
export function errorMessage(err) {
  if (err instanceof ApiError && err.status === 429 && err.retryAfterMs) {
    return t('Too many attempts. Try again in {count} seconds.', { count: Math.ceil(err.retryAfterMs / 1000) });
  }
  return said(apiEnglish(err));
}

/** The browser's refusal of a passkey ceremony in words (the package's ceremonyErrorMessage), or null. */
export function ceremonyErrorMessage(err) {
  return said(ceremonyEnglish(err));
}
