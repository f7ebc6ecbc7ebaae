import type { TokenStore } from './token-store.js';
import type { WebAuthnJSON } from './webauthn.js';

export declare const REFRESH_LOCK: 'gatehouse-token-refresh';

/** A Gatehouse user as `GET /api/auth/me/` and a login answer it. */
export interface User {
  id: number | string;
  username: string;
  email?: string;
  first_name?: string;
  last_name?: string;
  is_staff?: boolean;
  /** false: no usable password (made through a sign-in provider); a first one is set through the reset mail */
  has_password?: boolean;
  [field: string]: unknown;
}

/** A right password (or code) for an account with a second factor: finish with the `mfaToken`. */
export declare class SecondStepRequired {
  constructor(body?: { mfa_token?: string; methods?: string[]; expires_in?: number | null });
  mfaToken: string;
  /** 'totp', 'recovery_code', 'passkey': what the second step may use */
  methods: string[];
  expiresIn: number | null;
}

/** Gatehouse's error body: `{detail, code}`, and `fields` for a form's errors. */
export interface ErrorBody {
  detail?: string;
  code?: string;
  fields?: Record<string, string[]>;
  [key: string]: unknown;
}

/** The server answered with an error status (4xx; a 5xx is a TransientError). */
export declare class ApiError extends Error {
  constructor(status: number, body?: ErrorBody | null, options?: { retryAfterMs?: number | null });
  readonly name: 'ApiError';
  status: number;
  code: string | null;
  detail: string;
  fields: Record<string, string[]>;
  body: ErrorBody | null;
  retryAfterMs: number | null;
}

/** Not signed in: no token, the session ended, or a logout happened meanwhile. */
export declare class AuthError extends Error {
  constructor(reason?: string);
  readonly name: 'AuthError';
  /** 'not_authenticated' | 'session_expired' | 'logged_out' */
  reason: string;
}

/** Gatehouse could not be reached or is temporarily unavailable; the session is kept. */
export declare class TransientError extends Error {
  constructor(
    message: string,
    options?: { status?: number | null; retryAfterMs?: number | null; cause?: unknown; detail?: string | null; code?: string | null },
  );
  readonly name: 'TransientError';
  status: number | null;
  retryAfterMs: number | null;
  detail: string | null;
  code: string | null;
}

export declare function parseRetryAfter(value: string | null | undefined, nowMs: number): number | null;

/** A sentence a person can act on, for any error the client throws. */
export declare function errorMessage(err: unknown): string;

export interface ApiClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

export type StatusInfo =
  | { state: 'ok' }
  | { state: 'retrying'; attempt: number; delayMs: number; error: Error }
  | { state: 'offline'; attempt: number; error: Error };

/** Why a session ended here: 'logout', 'logout_all', 'session_expired', 'elsewhere' (another tab), 'cleared', 'account_deleted'. */
export interface SessionEnd {
  reason: string;
}

export interface RequestOptions {
  method?: string;
  /** sent as JSON */
  body?: unknown;
  headers?: Record<string, string>;
  /** the cookie mode of this call (default: the client's) */
  credentials?: RequestCredentials;
}

/** A re-authentication proof: the password, a second-factor code, or a passkey's answer. */
export type ReauthProof = string | { password: string } | { code: string } | { credential: WebAuthnJSON };

export interface ApiClientOptions {
  fetch: typeof fetch;
  store: TokenStore;
  clock: ApiClock;
  locks?: LockManager | null;
  onLogout?: (info: SessionEnd) => void;
  onStatus?: (info: StatusInfo) => void;
  onReauthRequired?: ((err: ApiError) => Promise<boolean>) | null;
  baseUrl?: string;
  credentials?: RequestCredentials;
  marginMs?: number;
  lockTimeoutMs?: number;
  /** The cross-tab refresh lock's name (default REFRESH_LOCK): one per token store. */
  lockName?: string;
  requestTimeoutMs?: number;
  backoff?: { initialMs?: number; maxMs?: number; maxAttempts?: number };
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** Every call of Gatehouse's API the bundled app makes (see docs/api.md for the bodies). */
export interface ApiClient {
  request<T = any>(path: string, options?: RequestOptions): Promise<T>;
  authorizedFetch(
    target: string,
    init?: RequestInit,
    options?: { credentials?: RequestCredentials; reauthenticated?: boolean },
  ): Promise<Response>;
  login(username: string, password: string, options?: { remember?: boolean }): Promise<User | SecondStepRequired | null>;
  loginSecondStep(mfaToken: string, code: string, options?: { trustDevice?: boolean }): Promise<User | null>;
  loginSecondStepPasskeyOptions(mfaToken: string): Promise<WebAuthnJSON>;
  loginSecondStepWithPasskey(mfaToken: string, credential: WebAuthnJSON, options?: { trustDevice?: boolean }): Promise<User | null>;
  loginWithCode(email: string, code: string, options?: { remember?: boolean }): Promise<User | SecondStepRequired | null>;
  loginWithPasskey(credential: WebAuthnJSON, options?: { remember?: boolean }): Promise<User | null>;
  passkeyLoginOptions(): Promise<WebAuthnJSON>;
  register(fields: { username: string; email: string; password: string }): Promise<any>;
  logout(): Promise<void>;
  logoutAll(): Promise<void>;
  logoutOthers(): Promise<any>;
  me(): Promise<User>;
  updateProfile(changes: Partial<Pick<User, 'username' | 'first_name' | 'last_name'>> & { language?: string }): Promise<User>;
  exportData(): Promise<any>;
  deleteAccount(): Promise<void>;
  sessions(): Promise<any>;
  activity(pageQuery?: string): Promise<any>;
  passwordRules(): Promise<string[]>;
  config(): Promise<Record<string, unknown>>;
  revokeSession(id: string): Promise<any>;
  trustedDevices(): Promise<any>;
  removeTrustedDevice(id: string): Promise<any>;
  requestPasswordReset(email: string): Promise<any>;
  requestLoginCode(email: string): Promise<any>;
  confirmPasswordReset(token: string, newPassword: string): Promise<any>;
  passwordResetAccount(token: string): Promise<any>;
  verifyEmail(token: string): Promise<any>;
  resendVerification(email: string): Promise<any>;
  changeEmail(newEmail: string, password: string): Promise<any>;
  changePassword(currentPassword: string, newPassword: string): Promise<any>;
  mfaStatus(): Promise<any>;
  startTotp(): Promise<{ secret: string; otpauth_uri: string; qr_svg: string }>;
  confirmTotp(code: string): Promise<{ recovery_codes: string[] }>;
  removeTotp(): Promise<any>;
  regenerateRecoveryCodes(): Promise<{ recovery_codes: string[] }>;
  users(pageQuery?: string): Promise<any>;
  /** POST a JSON body without the access token (never intercepted); the parsed answer, or ApiError/TransientError. */
  postAnonymously<T = any>(path: string, body: unknown): Promise<T>;
  refresh(): Promise<string>;
  retryNow(): void;
  reauthenticate(proof: ReauthProof): Promise<void>;
  passkeys(): Promise<any[]>;
  passkeyRegistrationOptions(): Promise<WebAuthnJSON>;
  registerPasskey(credential: WebAuthnJSON, name: string): Promise<any>;
  renamePasskey(id: string, name: string): Promise<any>;
  removePasskey(id: string): Promise<any>;
  passkeyReauthenticationOptions(): Promise<WebAuthnJSON>;
  reauthenticateWithPasskey(credential: WebAuthnJSON): Promise<void>;
  isLoggedIn(): boolean;
  dispose(): void;
}

export declare function createApiClient(deps: ApiClientOptions): ApiClient;
