// The token of a mailed link is read from the fragment, never the query string, and leaves the address bar.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { takeLinkToken, forgetLinkToken } from '../static/app/link-token.js';

function fakeHistory() {
  const calls = [];
  return { calls, state: null, replaceState: (state, title, url) => calls.push(url) };
}

test('a fragment token is taken, removed from the address bar, and kept for a redraw of the page', () => {
  const history = fakeHistory();
  const taken = takeLinkToken({ pathname: '/reset-password', search: '', hash: '#token=MQ.abc.def' }, history);
  assert.deepEqual(taken, { token: 'MQ.abc.def', fromQuery: false });
  assert.deepEqual(history.calls, ['/reset-password']);
  // Drawn again (the address bar no longer has it): the same token, no second replaceState.
  assert.deepEqual(takeLinkToken({ pathname: '/reset-password', search: '', hash: '' }, history), taken);
  assert.equal(history.calls.length, 1);
  forgetLinkToken('/reset-password');
  assert.equal(takeLinkToken({ pathname: '/reset-password', search: '', hash: '' }, history).token, '');
});

test('a query-string token (already logged on the way) is not a link, and is removed too', () => {
  const history = fakeHistory();
  const taken = takeLinkToken({ pathname: '/verify-email', search: '?token=MQ.abc.def&x=1', hash: '' }, history);
  assert.deepEqual(taken, { token: '', fromQuery: true });
  assert.deepEqual(history.calls, ['/verify-email?x=1']);
});

test('a page opened without a token has none', () => {
  const history = fakeHistory();
  assert.deepEqual(takeLinkToken({ pathname: '/verify-email', search: '', hash: '' }, history), { token: '', fromQuery: false });
  assert.deepEqual(history.calls, []);
});
