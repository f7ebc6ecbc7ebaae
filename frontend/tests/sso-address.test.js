// Which provider owns an address, as the login page decides it before any password is typed.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { domainOf, ownsDomains, providerForAddress, providerOfRefusal } from '../static/app/sso-address.js';

const providers = [
  { slug: 'google', name: 'Google', kind: 'google', domains: [] },
  { slug: 'acme', name: 'Acme SSO', kind: 'oidc', domains: ['acme.test', 'xn--bcher-kva.test'] },
  { slug: 'gitlab', name: 'GitLab', kind: 'gitlab' },
];

test('the domain in the server’s form: lower case, IDNA ASCII, no trailing dot', () => {
  assert.equal(domainOf('Bob@ACME.test'), 'acme.test');
  assert.equal(domainOf('bob@acme.test.'), 'acme.test');
  assert.equal(domainOf('gus@Bücher.test'), 'xn--bcher-kva.test');
  assert.equal(domainOf('"a@b"@acme.test'), 'acme.test');
});

test('no domain from what is not an address', () => {
  for (const value of ['', 'bob', '@acme.test', 'bob@', 'bob@acme', 'bob@acme.test/x', 'bob@[127.0.0.1]', 'bob@a b.test',
    'bob@acme.test:443', null, undefined, 42]) {
    assert.equal(domainOf(value), '', String(value));
  }
});

test('an address at an owned domain goes to its provider', () => {
  assert.equal(providerForAddress('bob@acme.test', providers).slug, 'acme');
  assert.equal(providerForAddress('  BOB@Acme.Test ', providers).slug, 'acme');
  assert.equal(providerForAddress('gus@bücher.test', providers).slug, 'acme');
});

test('other domains, look-alikes and sub-domains go nowhere', () => {
  for (const address of ['bob@example.com', 'bob@notacme.test', 'bob@acme.test.evil', 'bob@eng.acme.test', 'bob', '']) {
    assert.equal(providerForAddress(address, providers), null, address);
  }
  assert.equal(providerForAddress('bob@acme.test', null), null);
  assert.equal(providerForAddress('bob@acme.test', [null, {}]), null);
});

test('the address is asked first only when some provider owns domains', () => {
  assert.equal(ownsDomains(providers), true);
  assert.equal(ownsDomains(providers.filter((p) => p.slug !== 'acme')), false);
  assert.equal(ownsDomains([]), false);
  assert.equal(ownsDomains(undefined), false);
});

test('the provider a sso_required answer names, only if it is listed', () => {
  assert.equal(providerOfRefusal({ code: 'sso_required', provider: 'acme' }, providers).name, 'Acme SSO');
  assert.equal(providerOfRefusal({ code: 'sso_required', provider: 'gone' }, providers), null);
  assert.equal(providerOfRefusal({ code: 'sso_required' }, providers), null);
  assert.equal(providerOfRefusal(null, providers), null);
});
