// Mistakes the declarations must catch: each line below is a type error
// (`@ts-expect-error` fails the check when the error is gone).
import { createGatehouseClient } from '@gatehouse/client';

const client = createGatehouseClient();

// @ts-expect-error login takes one object, not positional arguments
void client.login('alice', 'secret');
// @ts-expect-error the password is required
void client.login({ username: 'alice' });
// @ts-expect-error onSessionEnded takes a callback
client.onSessionEnded('logout');
// @ts-expect-error baseUrl is a string
createGatehouseClient({ baseUrl: 42 });
// @ts-expect-error storageKey is a string
createGatehouseClient({ storageKey: 7 });
// @ts-expect-error fetch resolves with a Response, not a parsed body
const body: { reports: string[] } = await client.fetch('/api/reports/');
void body;
