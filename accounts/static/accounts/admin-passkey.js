// The admin's second step with a passkey: the options the page carries (JSON,
// not script, so the strict CSP holds) go to navigator.credentials.get(); the
// answer goes back in the form's hidden "credential" field. The server checks
// it exactly as it checks the app's.
import { ceremonyErrorMessage, credentialToJSON, requestOptionsFromJSON } from '../app/webauthn.js';

const button = document.getElementById('gatehouse-use-passkey');
const status = document.getElementById('gatehouse-passkey-status');
const optionsNode = document.getElementById('gatehouse-passkey-options');

if (button && optionsNode) {
  if (!window.PublicKeyCredential || !navigator.credentials) {
    button.disabled = true;
    status.textContent = 'This browser cannot use passkeys.';
  }
  button.addEventListener('click', async () => {
    const form = document.getElementById(button.dataset.form);
    status.textContent = 'Waiting for your passkey…';
    try {
      const options = requestOptionsFromJSON(JSON.parse(optionsNode.textContent));
      const credential = await navigator.credentials.get({ publicKey: options });
      form.elements.credential.value = JSON.stringify(credentialToJSON(credential));
      if (form.elements.code) form.elements.code.value = '';
      form.submit();
    } catch (err) {
      status.textContent = ceremonyErrorMessage(err) || 'The passkey could not be used. Try again, or type a code.';
    }
  });
}
