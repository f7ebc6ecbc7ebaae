// The code page's reading of the mail's link: the address from the fragment, nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { addressFromFragment } from '../static/app/pages/login-code.js';

test('the address comes from the fragment of the mail’s link', () => {
  assert.equal(addressFromFragment('#email=alice@example.com'), 'alice@example.com');
  assert.equal(addressFromFragment('#email=alice%2Bx%40example.com'), 'alice+x@example.com');
});

test('anything else in the fragment fills in nothing', () => {
  for (const hash of ['', '#', '#email=', '#email=not-an-address', '#code=123456', '#email=a b@c.d', null, undefined]) {
    assert.equal(addressFromFragment(hash), '', String(hash));
  }
});
