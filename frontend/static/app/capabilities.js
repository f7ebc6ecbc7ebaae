// What this server offers (GET /api/auth/config/), read once at start so that
// no page offers what the server would refuse with a 503: "Sign in with a
// passkey" without a relying party, "Forgot password" and "Email me a code" without mail, "Create an
// account" with sign-up off. If the answer does not come (the server is down
// at start), everything the page knows of is offered, as before: a refused
// action then shows the server's reason (errorMessage).

/**
 * @param {object} deps
 * @param {{config(): Promise<object>}} deps.api
 * @param {{setTimeout(fn: Function, ms: number): any, clearTimeout(id: any): void}} deps.clock
 * @param {boolean} deps.signupEnabled what the page itself says (the meta tag), used when the config does not come
 * @param {number} [deps.timeoutMs] how long start-up waits for it
 * @returns {Promise<{signup: boolean, passwordReset: boolean, passkeys: boolean, loginByCode: boolean, emailVerification: string, trustDeviceDays: number}>}
 */
export async function readCapabilities({ api, clock, signupEnabled, timeoutMs = 5000 }) {
  const fallback = { signup: !!signupEnabled, passwordReset: true, passkeys: true, loginByCode: true, emailVerification: 'optional', trustDeviceDays: 30 };
  let timer = null;
  const late = new Promise((resolve) => {
    timer = clock.setTimeout(() => resolve(null), timeoutMs);
  });
  let body = null;
  try {
    body = await Promise.race([api.config(), late]);
  } catch {
    body = null;
  } finally {
    clock.clearTimeout(timer);
  }
  if (!body || typeof body !== 'object') return fallback;
  const flag = (value, otherwise) => (typeof value === 'boolean' ? value : otherwise);
  return {
    signup: flag(body.signup, fallback.signup),
    passwordReset: flag(body.password_reset, fallback.passwordReset),
    passkeys: flag(body.passkeys, fallback.passkeys),
    loginByCode: flag(body.login_by_code, fallback.loginByCode),
    emailVerification: typeof body.email_verification === 'string' ? body.email_verification : fallback.emailVerification,
    trustDeviceDays: Number.isInteger(body.trust_device_days) && body.trust_device_days >= 0 ? body.trust_device_days : fallback.trustDeviceDays,
  };
}
