// Connects to a soisnode node's /mcp (argv[2]) the way a hosted assistant
// does, with the official MCP TypeScript SDK's OAuth client: discovery,
// dynamic registration, authorization code with PKCE, tools, refresh, and
// refusal after revocation. The browser part (sign-in and consent) is the
// Go test's (oauth/js_test.go): each step prints one JSON line and, where
// the test must act, reads one JSON line back.
import readline from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { auth, UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';

const serverUrl = new URL(process.argv[2]);
const redirectUrl = 'http://127.0.0.1:9/callback'; // never opened: the test reads the redirect

const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const say = (obj) => console.log(JSON.stringify(obj));
async function ask(obj) {
  say(obj);
  const { value, done } = await lines.next();
  if (done) throw new Error('the test closed stdin');
  return JSON.parse(value);
}
function check(cond, msg) {
  if (!cond) throw new Error(msg);
}

// An in-memory OAuthClientProvider, as a hosted connector keeps per user.
class Provider {
  constructor(tokens) { this.tok = tokens; this.redirects = []; }
  get redirectUrl() { return redirectUrl; }
  get clientMetadata() {
    return {
      client_name: 'MCP SDK test client', redirect_uris: [redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none',
    };
  }
  state() { return 'js-state-1'; }
  clientInformation() { return this.info; }
  saveClientInformation(info) { this.info = info; }
  tokens() { return this.tok; }
  saveTokens(tokens) { this.tok = tokens; }
  redirectToAuthorization(url) { this.redirects.push(url.toString()); }
  saveCodeVerifier(v) { this.verifier = v; }
  codeVerifier() { return this.verifier; }
  invalidateCredentials(scope) {
    if (scope === 'all' || scope === 'tokens') this.tok = undefined;
    if (scope === 'all') this.info = undefined;
  }
}

async function connect(provider) {
  const client = new Client({ name: 'oauth-js-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(serverUrl, { authProvider: provider }));
  return client;
}

async function refused(provider) {
  try {
    const c = await connect(provider);
    await c.listTools();
  } catch (e) {
    return e instanceof UnauthorizedError;
  }
  return false;
}

const provider = new Provider();
// 1. No token: the 401 starts discovery, registration and authorization.
check(await refused(provider), 'connecting without a token was not refused with UnauthorizedError');
check(provider.redirects.length === 1 && provider.info?.client_id, 'no authorization redirect after registration');
const authz = new URL(provider.redirects[0]);
check(authz.searchParams.get('resource') === serverUrl.href, `resource ${authz.searchParams.get('resource')}`);
check(authz.searchParams.get('code_challenge_method') === 'S256', 'not S256');

// 2. The member consents in the browser (the Go test), we get the code.
const { code, state } = await ask({ step: 'authorize', url: provider.redirects[0], client_id: provider.info.client_id });
check(state === 'js-state-1', `state ${state}`);
const first = new StreamableHTTPClientTransport(serverUrl, { authProvider: provider });
await first.finishAuth(code);
check(provider.tok?.access_token && provider.tok?.refresh_token, 'no tokens after the exchange');

// 3. Tools, with the token.
let client = await connect(provider);
const tools = (await client.listTools()).tools.map((t) => t.name);
const found = await client.callTool({ name: 'contacts_search', arguments: { query: 'Ada' } });
check(!found.isError, `contacts_search failed: ${JSON.stringify(found)}`);
say({ step: 'tools', tools, result: found.content?.[0]?.text ?? '' });
await client.close();

// 4. Refresh: a new access token, which works.
const before = provider.tok;
check(await auth(provider, { serverUrl }) === 'AUTHORIZED', 'refresh did not authorize');
check(provider.tok.access_token !== before.access_token && provider.tok.refresh_token !== before.refresh_token, 'refresh did not rotate the tokens');
client = await connect(provider);
await client.listTools();
await client.close();
say({ step: 'refreshed' });

// 5. The member disconnects the assistant; the next call is refused, and
// the client's refresh too (it starts over with a new authorization).
await ask({ step: 'revoke' });
check(await refused(provider), 'a call after revocation was not refused');
check(provider.redirects.length === 2, 'no new authorization after revocation');

// 6. A token minted for another resource.
const { token } = await ask({ step: 'foreign' });
check(await refused(new Provider({ access_token: token, token_type: 'Bearer' })), 'a token for another resource was accepted');
say({ step: 'done' });
process.exit(0);
