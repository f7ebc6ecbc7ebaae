// Pages of your own app, added to Gatehouse's router without editing its files.
//
// The server lists them (Django setting GATEHOUSE_APP_PAGES, path -> static
// module) in <meta name="app-pages" content='[{"path","module"}, …]'> (JSON);
// main.js imports each module before the first page shows. A page
// module exports `route` ({name, title, access: 'user' | 'staff', nav?}) and
// `mount(container, ctx)` like Gatehouse's own pages (ctx.api.request(path)
// calls your API with the refresh-aware client). A module that fails to load
// or describes itself wrongly is left out (logged), never taking the app down.

const ACCESS = new Set(['user', 'staff']);
const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,39}$/;

/** The (path, module URL) pairs the server listed. */
export function listedPages(doc) {
  const meta = doc.querySelector('meta[name="app-pages"]');
  let listed = [];
  try {
    listed = JSON.parse((meta && meta.getAttribute('content')) || '[]');
  } catch {
    return [];
  }
  return (Array.isArray(listed) ? listed : [])
    .map((entry) => ({ path: String((entry && entry.path) || ''), module: String((entry && entry.module) || '') }))
    // Same-origin paths only: never a module from another host.
    .filter((entry) => entry.path.startsWith('/') && entry.module.startsWith('/') && !entry.module.startsWith('//'));
}

/**
 * Import the listed page modules.
 * @returns {Promise<{routes: object[], pages: Record<string, {mount: Function}>, nav: object[]}>}
 */
export async function loadExtensions({ doc, importModule, builtinRoutes, log = () => {} }) {
  const taken = new Set(builtinRoutes.map((r) => r.name));
  const paths = new Set(builtinRoutes.map((r) => r.path));
  const found = { routes: [], pages: {}, nav: [] };
  for (const { path, module: url } of listedPages(doc)) {
    let module;
    try {
      module = await importModule(url);
    } catch (err) {
      log(`Page ${path}: ${url} did not load`, err);
      continue;
    }
    const route = module && module.route;
    const problem = !route ? 'exports no `route`'
      : typeof module.mount !== 'function' ? 'exports no `mount` function'
      : !NAME.test(String(route.name)) ? 'needs a `route.name` of letters, digits, - or _'
      : taken.has(route.name) ? `uses the name "${route.name}", already taken`
      : paths.has(path) ? `uses the path ${path}, already taken`
      : !ACCESS.has(route.access || 'user') ? "needs `route.access` 'user' or 'staff'"
      : null;
    if (problem) {
      log(`Page ${path} (${url}) ${problem}: left out`);
      continue;
    }
    const access = route.access || 'user';
    const title = String(route.title || route.name);
    taken.add(route.name);
    paths.add(path);
    found.routes.push({ path, name: route.name, access, title });
    found.pages[route.name] = module;
    if (route.nav) {
      found.nav.push({ href: path, testid: `nav-${route.name}`, label: String(route.nav), name: route.name, staff: access === 'staff' });
    }
  }
  return found;
}
