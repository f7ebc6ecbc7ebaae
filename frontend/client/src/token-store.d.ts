export declare const TOKEN_KEY: 'access_token';
export declare const META_KEY: 'access_token_meta';

/** The claims of an access token Gatehouse issued (not verified: the server does that). */
export interface AccessTokenClaims {
  exp?: number;
  iat?: number;
  sid?: string;
  jti?: string;
  user_id?: number | string;
  [claim: string]: unknown;
}

/** The payload of a JWT, undecoded signature and all unchecked; null when malformed. */
export declare function decodeJwt(token: string | null | undefined): AccessTokenClaims | null;

/** The part of the Storage interface the store uses. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface Clock {
  now(): number;
}

export interface TokenChange {
  /** true when another tab changed the token (a storage event) */
  external: boolean;
}

export interface TokenStore {
  get(): string | null;
  set(token: string, info?: { expiresIn?: number; serverDate?: string | null }): void;
  clear(): void;
  claims(token?: string | null): AccessTokenClaims | null;
  /** Estimated server time now (ms), from the offset measured at the last token's receipt. */
  serverNow(): number;
  expiresAt(token?: string | null): number | null;
  timeLeft(token?: string | null): number | null;
  lifetime(token?: string | null): number | null;
  isExpiring(token?: string | null, marginMs?: number): boolean;
  subscribe(fn: (token: string | null, change: TokenChange) => void): () => void;
  handleStorageEvent(event: Pick<StorageEvent, 'key' | 'storageArea'> | null | undefined): void;
  dispose(): void;
}

export declare function createTokenStore(deps: {
  storage: StorageLike;
  clock: Clock;
  listen?: (handler: (event: StorageEvent) => void) => () => void;
  /** The token's key in `storage` (default TOKEN_KEY); its metadata lives beside it under key + '_meta'. */
  key?: string;
}): TokenStore;
