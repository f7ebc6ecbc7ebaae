// WebAuthn between the server's JSON and the browser's ArrayBuffers.
//
// The server sends options as WebAuthn's JSON (binary fields in unpadded
// base64url); navigator.credentials wants ArrayBuffers, and answers with
// ArrayBuffers the server wants back as base64url. Pure functions, plus
// createWebAuthn(), which wraps the injected `credentials` container
// (navigator.credentials, wired in main.js).

/** base64url (padded or not) → ArrayBuffer. Throws TypeError on anything else. */
export function b64urlToBuffer(text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*={0,2}$/.test(text)) {
    throw new TypeError('not base64url');
  }
  const plain = text.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
  if (plain.length % 4 === 1) throw new TypeError('not base64url');
  const binary = atob(plain + '='.repeat((4 - (plain.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

/** ArrayBuffer or a typed array/DataView → unpadded base64url. */
export function bufferToB64url(buffer) {
  const bytes = buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function descriptors(list) {
  return (list || []).map((entry) => ({ ...entry, id: b64urlToBuffer(entry.id) }));
}

/** PublicKeyCredentialCreationOptionsJSON → the `publicKey` argument of credentials.create(). */
export function creationOptionsFromJSON(json) {
  return {
    ...json,
    challenge: b64urlToBuffer(json.challenge),
    user: { ...json.user, id: b64urlToBuffer(json.user.id) },
    excludeCredentials: descriptors(json.excludeCredentials),
  };
}

/** PublicKeyCredentialRequestOptionsJSON → the `publicKey` argument of credentials.get(). */
export function requestOptionsFromJSON(json) {
  return {
    ...json,
    challenge: b64urlToBuffer(json.challenge),
    allowCredentials: descriptors(json.allowCredentials),
  };
}

/** A PublicKeyCredential (from create() or get()) → the JSON the server verifies. */
export function credentialToJSON(credential) {
  const r = credential.response;
  const response = { clientDataJSON: bufferToB64url(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = bufferToB64url(r.attestationObject);
    if (typeof r.getTransports === 'function') response.transports = r.getTransports();
  }
  if (r.authenticatorData) response.authenticatorData = bufferToB64url(r.authenticatorData);
  if (r.signature) response.signature = bufferToB64url(r.signature);
  if (r.userHandle) response.userHandle = bufferToB64url(r.userHandle);
  return {
    id: credential.id,
    rawId: bufferToB64url(credential.rawId),
    type: credential.type,
    response,
    authenticatorAttachment: credential.authenticatorAttachment || null,
    clientExtensionResults:
      typeof credential.getClientExtensionResults === 'function' ? credential.getClientExtensionResults() : {},
  };
}

/** Why a ceremony did not happen, in words a person can act on (null: not a WebAuthn refusal). */
export function ceremonyErrorMessage(err) {
  const name = err && err.name;
  if (name === 'NotAllowedError' || name === 'AbortError') return 'No passkey was used: it was cancelled or took too long.';
  if (name === 'InvalidStateError') return 'This device already has a passkey for your account.';
  if (name === 'SecurityError') return 'Passkeys do not work on this address. Open the site by its domain name.';
  if (name === 'NotSupportedError') return 'This device cannot make a passkey Gatehouse accepts.';
  return null;
}

/**
 * @param {object} deps
 * @param {CredentialsContainer|null} deps.credentials  navigator.credentials (null: unsupported)
 * @param {boolean} deps.supported  whether window.PublicKeyCredential exists
 * @param {{isConditionalMediationAvailable?: () => Promise<boolean>}|null} [deps.publicKeyCredential]
 *   window.PublicKeyCredential, asked whether the browser offers passkeys in the username field's autofill
 */
export function createWebAuthn({ credentials, supported, publicKeyCredential = null }) {
  const available = !!(supported && credentials && typeof credentials.create === 'function');
  return {
    supported: available,
    /** Register: server options JSON in, credential JSON out. */
    async create(optionsJSON) {
      const credential = await credentials.create({ publicKey: creationOptionsFromJSON(optionsJSON) });
      return credentialToJSON(credential);
    },
    /**
     * Assert: server options JSON in, credential JSON out. `mediation: 'conditional'` waits for the user to
     * pick a passkey in the username field's autofill; `signal` aborts the request.
     */
    async get(optionsJSON, { mediation, signal } = {}) {
      const request = { publicKey: requestOptionsFromJSON(optionsJSON) };
      if (mediation) request.mediation = mediation;
      if (signal) request.signal = signal;
      const credential = await credentials.get(request);
      return credentialToJSON(credential);
    },
    /** Whether the browser offers passkeys in autofill (WebAuthn conditional mediation); false when unknown. */
    async conditionalAvailable() {
      if (!available || !publicKeyCredential) return false;
      if (typeof publicKeyCredential.isConditionalMediationAvailable !== 'function') return false;
      try {
        return (await publicKeyCredential.isConditionalMediationAvailable()) === true;
      } catch {
        return false;
      }
    },
  };
}
