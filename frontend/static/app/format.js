// Pure formatting helpers (no DOM), shared by the pages; dates and relative times in the app's language.
import { currentLocale, t } from './translate.js';
import { directionOf } from './i18n.js';

const pad = (n) => String(n).padStart(2, '0');

/** "4:05" for 245 000 ms; "0:00" for anything not positive. Rounds up to whole seconds. */
export function formatCountdown(ms) {
  if (!Number.isFinite(ms) || ms <= 0) return '0:00';
  const total = Math.ceil(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** Parse an ISO 8601 string (or epoch ms) to a Date, or null. */
export function toDate(value) {
  if (value === null || value === undefined || value === '') return null;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

// dateStyle/timeStyle cannot be combined with timeZoneName: the same medium
// date and short time, spelled out, plus the zone.
const DATE_TIME = { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' };

/**
 * "Dec 1, 2026, 3:39 PM UTC" in the user's locale and time zone (or `timeZone`), the zone
 * named so that a time read off a screen means one instant; "—" when unknown.
 */
export function formatDateTime(value, locale = currentLocale(), timeZone = undefined) {
  const d = toDate(value);
  if (!d) return '—';
  const text = new Intl.DateTimeFormat(locale, { ...DATE_TIME, timeZone }).format(d);
  // A right-to-left line reads "غرينتش+1"'s sign as a neutral and shows "1+غرينتش": the offset goes in a
  // left-to-right isolate (U+2066 … U+2069), which shows "+1" as written and changes nothing else.
  return directionOf(locale) === 'rtl' ? text.replace(/[+\-\u2212]\d+(?::\d+)?/g, '\u2066$&\u2069') : text;
}

/** "15 Jan 2030" in the user's locale; "—" when unknown. */
export function formatDate(value, locale = currentLocale()) {
  const d = toDate(value);
  if (!d) return '—';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(d);
}

const UNITS = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** "3 minutes ago", "in 2 days", "just now" relative to nowMs; "—" when unknown. */
export function relativeTime(value, nowMs, locale = currentLocale()) {
  const d = toDate(value);
  if (!d || !Number.isFinite(nowMs)) return '—';
  const diff = Math.round((d.getTime() - nowMs) / 1000);
  if (Math.abs(diff) < 45) return t('just now');
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  for (const [unit, secs] of UNITS) {
    if (Math.abs(diff) >= secs) return rtf.format(Math.round(diff / secs), unit);
  }
  return rtf.format(Math.round(diff / 60) || (diff < 0 ? -1 : 1), 'minute');
}

/** First letter of a username, upper-cased, for the avatar. */
export function initial(name) {
  const first = String(name || '?').trim().charAt(0);
  return first ? first.toUpperCase() : '?';
}
