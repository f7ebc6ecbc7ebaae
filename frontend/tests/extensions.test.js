// extensions.js: your own pages join the router from the server's <meta name="app-page"> list.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { loadExtensions } from '../static/app/extensions.js';
import { ROUTES, resolve } from '../static/app/router.js';

function fakeDoc(entries) {
  const content = JSON.stringify(entries.map(([path, module]) => ({ path, module })));
  const meta = { getAttribute: (name) => (name === 'content' ? content : null) };
  return { querySelector: (selector) => (selector === 'meta[name="app-pages"]' ? meta : null) };
}

const mount = () => () => {};

test('a listed page module becomes a protected route, its page and a nav link', async () => {
  const modules = { '/static/myapp/reports.js': { route: { name: 'reports', title: 'Reports', nav: 'Reports' }, mount } };
  const found = await loadExtensions({
    doc: fakeDoc([['/reports', '/static/myapp/reports.js']]),
    importModule: async (url) => modules[url],
    builtinRoutes: ROUTES,
  });

  assert.deepEqual(found.routes, [{ path: '/reports', name: 'reports', access: 'user', title: 'Reports' }]);
  assert.equal(found.pages.reports, modules['/static/myapp/reports.js']);
  assert.deepEqual(found.nav, [{ href: '/reports', testid: 'nav-reports', label: 'Reports', name: 'reports', staff: false }]);
  const routes = [...ROUTES, ...found.routes];
  assert.deepEqual(resolve({ pathname: '/reports' }, { authenticated: false }, routes), {
    kind: 'redirect', to: '/login?next=%2Freports',
  });
  assert.equal(resolve({ pathname: '/reports' }, { authenticated: true, user: {} }, routes).kind, 'render');
});

test('a module that fails, lacks mount, or takes a Gatehouse name or path is left out and logged', async () => {
  const logged = [];
  const modules = {
    '/a.js': { route: { name: 'account', title: 'Mine' }, mount },
    '/b.js': { route: { name: 'b' } },
    '/d.js': { route: { name: 'd', access: 'guest' }, mount },
    '/e.js': { route: { name: 'e' }, mount },
  };
  const found = await loadExtensions({
    doc: fakeDoc([['/a', '/a.js'], ['/b', '/b.js'], ['/c', '/c.js'], ['/d', '/d.js'], ['/account', '/e.js'], ['/f', 'http://evil.example/f.js'], ['/g', '//evil.example/g.js']]),
    importModule: async (url) => {
      if (!(url in modules)) throw new Error('404');
      return modules[url];
    },
    builtinRoutes: ROUTES,
    log: (message) => logged.push(message),
  });

  assert.deepEqual(found.routes, []);
  assert.deepEqual(found.pages, {});
  assert.equal(logged.length, 5);
});
