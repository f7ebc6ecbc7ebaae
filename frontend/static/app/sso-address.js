// Enterprise single sign-on on the login page: which provider owns an address.
// A provider set with `--domain` lists its domains in GET /api/auth/providers/
// (`domains`, lower-case IDNA ASCII, as the server stores addresses). When any
// provider lists domains, the login page asks for the address first and sends
// an address at one of them straight to its provider: the company's sign-in,
// not a password the company may not want used.

/**
 * The domain of `address` in the form the server compares (IDNA ASCII, lower case), or '' when it has none.
 * The browser's URL parser does the IDNA mapping (UTS 46), as the server's `idna` does: `Bücher.test` is
 * `xn--bcher-kva.test` on both sides.
 */
export function domainOf(address) {
  if (typeof address !== 'string') return '';
  const at = address.lastIndexOf('@');
  if (at <= 0) return '';
  const raw = address.slice(at + 1).trim().replace(/\.$/, '');
  if (!raw || /[\s/\\?#@:[\]]/.test(raw)) return '';
  try {
    const host = new URL(`http://${raw}/`).hostname;
    return host.includes('.') ? host.toLowerCase() : '';
  } catch {
    return '';
  }
}

/** Whether the login page must ask for the address first: some enabled provider owns domains. */
export function ownsDomains(providers) {
  return Array.isArray(providers) && providers.some((p) => Array.isArray(p && p.domains) && p.domains.length > 0);
}

/** The provider (an entry of GET /api/auth/providers/) that owns `address`'s domain, or null. Exact domains only. */
export function providerForAddress(address, providers) {
  const domain = domainOf(address);
  if (!domain || !Array.isArray(providers)) return null;
  return providers.find((p) => p && Array.isArray(p.domains) && p.domains.includes(domain)) || null;
}

/**
 * The provider a 403 `sso_required` answer names, among `providers` (null when it is not listed: the page then
 * shows the server's words instead of guessing).
 */
export function providerOfRefusal(body, providers) {
  const slug = body && typeof body.provider === 'string' ? body.provider : '';
  if (!slug || !Array.isArray(providers)) return null;
  return providers.find((p) => p && p.slug === slug) || null;
}
