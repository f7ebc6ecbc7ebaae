// A real OpenID Provider for the tests: panva's oidc-provider on loopback,
// with its development login screen (any login name, any password).
//
// Configuration: one JSON object, as the first argument or in PROVIDER_CONFIG:
//   {
//     "port": 4010,                       // where to listen (127.0.0.1)
//     "issuer": "http://127.0.0.1:4010",  // defaults to that origin
//     "clients": [{ "client_id", "client_secret", "redirect_uris": [...],
//                   "backchannel_logout_uri"?, "post_logout_redirect_uris"? }],
//     "accounts": { "<login name>": { "email", "email_verified", "name" } }   // optional
//   }
// A login name not in "accounts" gets the address <name> (when it has an @)
// or <name>@users.example.test, verified, and its own name as "name".
// Prints "ready <issuer>" once listening; stops on SIGTERM.
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const config = JSON.parse(process.argv[2] || process.env.PROVIDER_CONFIG || '{}');
const port = Number(config.port || 4010);
const issuer = config.issuer || `http://127.0.0.1:${port}`;
const accounts = config.accounts || {};

function claimsOf(login) {
  const known = accounts[login] || {};
  const email = known.email !== undefined ? known.email : login.includes('@') ? login : `${login}@users.example.test`;
  return {
    sub: login,
    email,
    email_verified: known.email_verified !== undefined ? known.email_verified : true,
    name: known.name || login,
    preferred_username: login.split('@')[0],
  };
}

// A signing key of this run only: the tests read it from the provider's JWKS, as a relying party does.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: `test-${Date.now()}`, use: 'sig', alg: 'RS256' };

const clients = (config.clients || []).map((client) => ({
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: client.client_secret ? 'client_secret_basic' : 'none',
  ...client,
  ...(client.backchannel_logout_uri ? { backchannel_logout_session_required: true } : {}),
}));

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [jwk] },
  cookies: { keys: ['test-peer-cookie-key-not-a-secret'] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
  },
  features: {
    devInteractions: { enabled: true },
    backchannelLogout: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  pkce: { required: () => true },
  // Its outgoing requests (back-channel logout tokens) go to the Gatehouse under test, on loopback: the
  // provider's guard against requests to special-use addresses (SSRF) would refuse exactly that, so it is
  // lifted for this test peer only.
  fetch: (url, options) => globalThis.fetch(url, { ...options, dispatcher: undefined }),
  findAccount: async (ctx, id) => ({
    accountId: id,
    claims: async () => claimsOf(id),
  }),
  // First-party test clients: the consent screen is skipped (every requested scope is granted).
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(ctx.oidc.params.scope || 'openid');
    await grant.save();
    return grant;
  },
  ttl: { AccessToken: 600, AuthorizationCode: 120, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
});
provider.proxy = false;
// Its own faults, on stderr (the tests show them when a sign-in fails at the provider).
provider.on('backchannel.error', (ctx, error) => process.stderr.write(`backchannel.error: ${error && error.message} ${error && error.cause ? error.cause.message : ''}\n`));
provider.on('server_error', (ctx, error) => process.stderr.write(`server_error: ${error && error.stack}\n`));

const server = provider.listen(port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('SIGINT', () => server.close(() => process.exit(0)));
