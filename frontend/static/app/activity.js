// One row of the user's own security activity, as the overview shows it:
// what happened (the server's label), on which device, from where, when.
// Pure: no DOM, so the wording is unit-tested.
import { formatDateTime, toDate } from './format.js';

// The icon's tone by kind; a kind this file does not know yet is 'other' and
// still shows (with the server's label).
const TONES = {
  login_succeeded: 'signin',
  registered: 'account',
  logout: 'signout',
  session_revoked: 'signout',
  reuse_detected: 'alert',
  password_changed: 'password',
  password_reset: 'password',
  password_reset_requested: 'password',
  reauthenticated: 'confirm',
};

/** "passkey_added" → "Passkey added", for a row whose event came without a label. */
function fromKind(kind) {
  const words = String(kind || 'activity').replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * @param {{kind: string, label?: string, created_at?: string, ip_address?: string|null,
 *          user_agent?: string, device?: string|null, current?: boolean}} event a row of GET /api/auth/activity/
 * @param {{locale?: string, timeZone?: string}} [options] for tests; the browser's own by default
 */
export function activityView(event, { locale, timeZone } = {}) {
  const at = toDate(event.created_at);
  return {
    tone: TONES[event.kind] || 'other',
    label: event.label || fromKind(event.kind),
    device: event.device || null, // named by the server (accounts/useragent.py)
    ip: event.ip_address || null,
    when: formatDateTime(at, locale, timeZone),
    iso: at ? at.toISOString() : null,
    current: event.current === true,
  };
}
