import type { ApiClient, ApiClock, ApiError, ReauthProof, RequestOptions, SecondStepRequired, SessionEnd, StatusInfo, User } from './api.js';
import type { StorageLike, TokenStore } from './token-store.js';
import type { WebAuthn } from './webauthn.js';

export {
  ApiError,
  AuthError,
  TransientError,
  SecondStepRequired,
  REFRESH_LOCK,
  errorMessage,
  parseRetryAfter,
  createApiClient,
} from './api.js';
export type { ApiClient, ApiClientOptions, ApiClock, ErrorBody, ReauthProof, RequestOptions, SessionEnd, StatusInfo, User } from './api.js';
export { createTokenStore, decodeJwt, TOKEN_KEY, META_KEY } from './token-store.js';
export type { AccessTokenClaims, StorageLike, TokenStore } from './token-store.js';
export { BACKOFF, backoffDelay } from './backoff.js';
export { createWebAuthn, ceremonyErrorMessage } from './webauthn.js';
export type { WebAuthn, WebAuthnJSON } from './webauthn.js';
export { keepFresh } from './keep-fresh.js';

export interface GatehouseClientOptions {
  /** Gatehouse's origin, e.g. 'https://auth.example.com'; leave out when Gatehouse serves the page. */
  baseUrl?: string;
  /** Where the access token lives; default localStorage (shared by the tabs), memory when storage is disabled. */
  storage?: StorageLike;
  /**
   * The access token's key in `storage` (default 'access_token', TOKEN_KEY; its metadata under key + '_meta').
   * Two clients on one origin need one each, or they share one token; the refresh lock's name follows it.
   */
  storageKey?: string;
  /** Other origins `fetch` may send the access token to (your API's); Gatehouse's and the page's own always may. */
  apiOrigins?: string[];
  fetch?: typeof fetch;
  /** Default navigator.locks; null: each tab refreshes on its own. */
  locks?: LockManager | null;
  /** Default navigator.credentials (passkeys); null: no passkeys. */
  credentialsContainer?: CredentialsContainer | null;
  clock?: ApiClock;
  /** Other tabs' storage events; default the window's when `storage` is localStorage. */
  listen?: (handler: (event: StorageEvent) => void) => () => void;
  /** A route answered 403 reauthentication_required: ask the person (then `client.reauthenticate`); true retries once. */
  onReauthRequired?: ((err: ApiError) => Promise<boolean>) | null;
  onStatus?: (info: StatusInfo) => void;
  /** Refresh when the token has less than this left (default 30 s, or a third of its lifetime when shorter). */
  marginMs?: number;
  lockTimeoutMs?: number;
  requestTimeoutMs?: number;
  backoff?: { initialMs?: number; maxMs?: number; maxAttempts?: number };
}

export interface GatehouseClient {
  /** Password sign-in: the user, or SecondStepRequired when the account has a second factor. */
  login(credentials: { username: string; password: string; remember?: boolean }): Promise<User | SecondStepRequired | null>;
  loginSecondStep(step: { mfaToken: string; code: string; trustDevice?: boolean }): Promise<User | null>;
  loginSecondStepWithPasskey(step: { mfaToken: string; trustDevice?: boolean }): Promise<User | null>;
  loginWithPasskey(options?: { remember?: boolean }): Promise<User | null>;
  requestLoginCode(email: string): Promise<unknown>;
  loginWithCode(step: { email: string; code: string; remember?: boolean }): Promise<User | SecondStepRequired | null>;
  /** Log this browser out; every tab of the page's origin follows. */
  logout(): Promise<void>;
  /** The refresh-aware fetch: a path of Gatehouse's, or a full URL of Gatehouse, this page or `apiOrigins`. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** The same, JSON in and out; rejects with ApiError, AuthError or TransientError. */
  request<T = any>(path: string, options?: RequestOptions): Promise<T>;
  reauthenticate(proof: ReauthProof | { passkey: true }): Promise<void>;
  addPasskey(name: string): Promise<unknown>;
  /** Called with why, each time the session ends (here or in another tab); returns a function that stops it. */
  onSessionEnded(callback: (info: SessionEnd) => void): () => void;
  onStatus(callback: (info: StatusInfo) => void): () => void;
  isLoggedIn(): boolean;
  me(): Promise<User>;
  refresh(): Promise<string>;
  retryNow(): void;
  readonly passkeysSupported: boolean;
  readonly api: ApiClient;
  readonly store: TokenStore;
  readonly webauthn: WebAuthn;
  dispose(): void;
}

export declare function createGatehouseClient(options?: GatehouseClientOptions): GatehouseClient;
