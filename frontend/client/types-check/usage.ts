// How a browser app uses the package, written against its public declarations
// (the package's own name, as an app imports it). `npm run check-types` must pass.
import {
  createGatehouseClient,
  ApiError,
  AuthError,
  TransientError,
  SecondStepRequired,
  errorMessage,
  type GatehouseClient,
  type SessionEnd,
  type User,
} from '@gatehouse/client';
import { createTokenStore, decodeJwt } from '@gatehouse/client/token-store.js';
import { backoffDelay } from '@gatehouse/client/backoff.js';

const client: GatehouseClient = createGatehouseClient({
  baseUrl: 'https://auth.example.com',
  apiOrigins: ['https://api.example.com'],
  onReauthRequired: async (err: ApiError) => window.confirm(err.detail),
});

async function signIn(username: string, password: string): Promise<User | null> {
  const result = await client.login({ username, password, remember: true });
  if (result instanceof SecondStepRequired) {
    const code = window.prompt(`Code (${result.methods.join(', ')})`) ?? '';
    return client.loginSecondStep({ mfaToken: result.mfaToken, code, trustDevice: false });
  }
  return result;
}

async function loadReports(): Promise<string[]> {
  const response: Response = await client.fetch('/api/reports/', { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`status ${response.status}`);
  const elsewhere = await client.fetch('https://api.example.com/v1/things', { method: 'POST', body: JSON.stringify({}) });
  void elsewhere.status;
  const me = await client.request<User>('/api/auth/me/');
  return [me.username];
}

const stop: () => void = client.onSessionEnded((info: SessionEnd) => {
  console.log(`signed out: ${info.reason}`);
});
client.onStatus((info) => {
  if (info.state === 'retrying') console.log(info.delayMs, info.attempt);
});

async function sensitive(): Promise<void> {
  await client.reauthenticate('the password');
  await client.reauthenticate({ code: '123456' });
  if (client.passkeysSupported) await client.reauthenticate({ passkey: true });
  await client.logout();
}

function explain(err: unknown): string {
  if (err instanceof AuthError) return err.reason;
  if (err instanceof TransientError) return String(err.retryAfterMs ?? 0);
  return errorMessage(err);
}

// A second client on the same origin (another Gatehouse): its token under a key of its own.
const partner: GatehouseClient = createGatehouseClient({
  baseUrl: 'https://auth.partner.example',
  storageKey: 'partner-gatehouse-token',
});
void partner.isLoggedIn();

const store = createTokenStore({ storage: localStorage, clock: { now: () => Date.now() } });
const partnerStore = createTokenStore({ storage: sessionStorage, clock: { now: () => Date.now() }, key: 'partner-token' });
void partnerStore.get();
const claims = decodeJwt(store.get());
const left: number | null = store.timeLeft();
const wait: number = backoffDelay(3, { retryAfterMs: 2000 });

export { signIn, loadReports, stop, sensitive, explain, claims, left, wait };
