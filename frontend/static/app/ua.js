// The device a session or an event came from, as the server names it.
//
// The server is the one reader of user agents (accounts/useragent.py): each
// item of GET /api/auth/sessions/ carries `device` ("Chrome on macOS") and
// `device_kind`, each event of GET /api/auth/activity/ carries `device`. The
// app shows those and parses no user agent itself, so the two never disagree. The server words them in the
// request's language (the account's saved one when signed in): "Chrome unter Linux" comes as it is shown.
import { t } from './translate.js';

const KINDS = new Set(['phone', 'tablet', 'desktop', 'other']);

/**
 * @param {{device?: string|null, device_kind?: string|null}|null|undefined} item a session or an event
 * @returns {{label: string, kind: 'phone'|'tablet'|'desktop'|'other'}}
 */
export function deviceOf(item) {
  const label = item && typeof item.device === 'string' && item.device.trim() ? item.device : t('Unknown device');
  const kind = item && KINDS.has(item.device_kind) ? item.device_kind : 'other';
  return { label, kind };
}
