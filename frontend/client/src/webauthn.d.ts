/** WebAuthn options and credentials as JSON (base64url for the binary fields), as Gatehouse sends and expects them. */
export type WebAuthnJSON = Record<string, unknown>;

export declare function b64urlToBuffer(text: string): ArrayBuffer;
export declare function bufferToB64url(buffer: ArrayBuffer | ArrayBufferView): string;
export declare function creationOptionsFromJSON(json: WebAuthnJSON): PublicKeyCredentialCreationOptions;
export declare function requestOptionsFromJSON(json: WebAuthnJSON): PublicKeyCredentialRequestOptions;
export declare function credentialToJSON(credential: PublicKeyCredential): WebAuthnJSON;
/** The browser's refusal of a ceremony (cancelled, timed out, not allowed) in words a person can act on. */
export declare function ceremonyErrorMessage(err: unknown): string;

export interface WebAuthn {
  readonly supported: boolean;
  /** Register: the server's creation options JSON in, the new credential as JSON out. */
  create(optionsJSON: WebAuthnJSON): Promise<WebAuthnJSON>;
  /** Sign in or confirm: the server's request options JSON in, the assertion as JSON out. */
  get(optionsJSON: WebAuthnJSON, options?: { mediation?: CredentialMediationRequirement; signal?: AbortSignal }): Promise<WebAuthnJSON>;
  /** Whether the browser offers passkeys in the username field's autofill. */
  conditionalAvailable(): Promise<boolean>;
}

export declare function createWebAuthn(deps: {
  credentials: CredentialsContainer | null;
  supported: boolean;
  publicKeyCredential?: unknown;
}): WebAuthn;
