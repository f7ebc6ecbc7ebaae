// A relying party built on panva's openid-client, driven step by step by the
// pytest tests (tests/oidc_provider/test_openid_client.py) against a live
// Gatehouse on loopback:
//
//   node relying_party.mjs <step> '<json>'   ->  one JSON line on stdout
//
// Steps: authorize (discovery, PKCE S256, the authorization URL), callback
// (the code exchange with state, nonce and RFC 9207 iss checked, the ID token
// validated, userinfo), refresh, revoke, end_session (RP-initiated logout URL).
// Errors print {"error": …, "code": …} and exit 0, so the test asserts on them.
import * as client from 'openid-client';

const [step, raw] = process.argv.slice(2);
const input = JSON.parse(raw || '{}');

async function configuration() {
  const options = input.issuer.startsWith('http://') ? { execute: [client.allowInsecureRequests] } : {};
  return client.discovery(new URL(input.issuer), input.client_id, input.client_secret || undefined, undefined, options);
}

const steps = {
  async authorize(config) {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const params = {
      redirect_uri: input.redirect_uri,
      scope: input.scope || 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...(input.extra || {}),
    };
    return { url: client.buildAuthorizationUrl(config, params).href, state, nonce, verifier };
  },
  async callback(config) {
    const tokens = await client.authorizationCodeGrant(config, new URL(input.current_url), {
      pkceCodeVerifier: input.verifier,
      expectedState: input.state,
      expectedNonce: input.nonce,
      idTokenExpected: true,
      maxAge: input.max_age,
    });
    const claims = tokens.claims();
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    return { tokens: { ...tokens }, claims, userinfo };
  },
  async refresh(config) {
    const tokens = await client.refreshTokenGrant(config, input.refresh_token);
    return { tokens: { ...tokens } };
  },
  async revoke(config) {
    await client.tokenRevocation(config, input.token);
    return { revoked: true };
  },
  async end_session(config) {
    const url = client.buildEndSessionUrl(config, {
      id_token_hint: input.id_token,
      post_logout_redirect_uri: input.post_logout_redirect_uri,
      state: input.state,
    });
    return { url: url.href };
  },
};

try {
  if (!steps[step]) throw new Error(`unknown step ${step}`);
  const config = await configuration();
  process.stdout.write(`${JSON.stringify(await steps[step](config))}\n`);
} catch (err) {
  process.stdout.write(`${JSON.stringify({ error: String(err && err.message), code: err && (err.error || err.code), cause: String((err && err.cause && err.cause.message) || '') })}\n`);
}
