// A team's page on another origin of the same site, using the client package
// exactly as installed from its tarball (no bundler: the module by its path).
import { createGatehouseClient, errorMessage, AuthError, SecondStepRequired } from './node_modules/@gatehouse/client/src/index.js';

const baseUrl = document.querySelector('meta[name="gatehouse"]').content;
const client = createGatehouseClient({ baseUrl });
const $ = (id) => document.getElementById(id);
let refreshes = 0;

function notice(text) {
  $('notice').textContent = text;
  $('notice').hidden = !text;
}

function show(user) {
  $('login').hidden = !!user;
  $('signed-in').hidden = !user;
  $('user').textContent = user ? user.username : '';
}

client.onSessionEnded(({ reason }) => {
  show(null);
  notice(reason === 'logout' ? 'You are signed out.' : `Your session has ended (${reason}).`);
});

$('gatehouse-url').textContent = baseUrl;

$('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  notice('');
  try {
    const result = await client.login({
      username: form.username.value,
      password: form.password.value,
      remember: form.remember.checked,
    });
    if (result instanceof SecondStepRequired) throw new Error('This page does not ask for a second step.');
    show(result);
  } catch (err) {
    notice(errorMessage(err));
  }
});

$('refresh').addEventListener('click', async () => {
  try {
    await client.refresh();
    refreshes += 1;
    $('refreshes').textContent = String(refreshes);
  } catch (err) {
    // A session that ended has said so already (onSessionEnded).
    if (!(err instanceof AuthError)) notice(errorMessage(err));
  }
});

$('logout').addEventListener('click', () => client.logout());

// After a reload: the token is still in storage; the refresh-aware fetch proves it (and the user).
async function start() {
  if (!client.isLoggedIn()) {
    show(null);
    return;
  }
  try {
    const response = await client.fetch('/api/auth/me/');
    if (!response.ok) throw new Error(`Gatehouse answered ${response.status}`);
    show(await response.json());
  } catch (err) {
    show(null);
    notice(errorMessage(err));
  }
}
start();
