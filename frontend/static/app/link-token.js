// The token of a link from a mail. Links carry it in the fragment
// (SITE_URL/reset-password#token=…), which browsers never send to a server,
// so no access log holds it. The page takes it from there and at once removes
// it from the address bar (and so from the history, bookmarks and screen
// shares) before anything is POSTed; it is kept in this module's memory
// only, so a page drawn again in this tab still has it, and a reload does not.
//
// A token in the query string (the old ?token=… form) was sent to the server
// when the page was opened, and so may sit in an access log: it is not taken
// as a link (the page asks for a new one), and is removed from the address bar too.
import { t } from './translate.js';

const remembered = new Map(); // pathname -> token

/**
 * @param {{pathname: string, search?: string, hash?: string}} location
 * @param {{replaceState: Function, state?: any} | undefined} history
 * @returns {{token: string, fromQuery: boolean}}
 */
export function takeLinkToken(location, history) {
  const pathname = location.pathname;
  const fromHash = new URLSearchParams(String(location.hash || '').replace(/^#/, '')).get('token');
  const query = new URLSearchParams(location.search || '');
  const fromQuery = query.has('token');
  if ((fromHash !== null || fromQuery) && history && history.replaceState) {
    query.delete('token');
    const search = query.toString();
    history.replaceState(history.state ?? null, '', pathname + (search ? `?${search}` : ''));
  }
  if (fromHash) {
    remembered.set(pathname, fromHash);
    return { token: fromHash, fromQuery: false };
  }
  if (fromQuery) {
    remembered.delete(pathname);
    return { token: '', fromQuery: true };
  }
  return { token: remembered.get(pathname) || '', fromQuery: false };
}

/** Forget a page's token once it is used or refused. */
export function forgetLinkToken(pathname) {
  remembered.delete(pathname);
}

export const QUERY_LINK_MESSAGE = () => t('This link is in an old form that is no longer accepted, because its code could have been recorded on the way. Ask for a new link.');
