// Drives a soisnode node with the official A2A JavaScript SDK
// (@a2a-js/sdk 1.3.0): the card and its signature, blocking and
// non-blocking messages, get, list, a question answered in the same task,
// cancel (followed by a subscription), a spent budget and a streamed
// message, over JSON-RPC and HTTP+JSON.
// a2a/js_test.go runs it; it exits non-zero on the first failure.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Role, TaskState, verifyAgentCardSignature, canonicalizeAgentCard } from '@a2a-js/sdk';
import { ClientFactory, JsonRpcTransportFactory, RestTransportFactory } from '@a2a-js/sdk/client';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

// Both credentials on every request: the card's one security requirement
// names the two schemes together.
function withCredentials(token, apiKey) {
  return (url, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set('Authorization', `Bearer ${token}`);
    headers.set('X-Api-Key', apiKey);
    return fetch(url, { ...init, headers });
  };
}

async function connect(base, token, apiKey, binding) {
  const fetchImpl = withCredentials(token, apiKey);
  const factory = new ClientFactory({
    transports: [new JsonRpcTransportFactory({ fetchImpl }), new RestTransportFactory({ fetchImpl })],
    preferredTransports: [binding],
  });
  return factory.createFromUrl(base);
}

function message(text, { contextId = '', taskId = '' } = {}) {
  return {
    messageId: randomUUID(), contextId, taskId, role: Role.ROLE_USER,
    parts: [{ content: { $case: 'text', value: text }, metadata: undefined }],
    metadata: undefined, extensions: [], referenceTaskIds: [],
  };
}

async function send(client, text, opts = {}) {
  const task = await client.sendMessage({
    tenant: '', message: message(text, opts), metadata: undefined,
    configuration: { acceptedOutputModes: [], taskPushNotificationConfig: undefined, returnImmediately: !!opts.now },
  });
  assert.ok(task.status, `sendMessage(${text}) returned a message, not a task`);
  return task;
}

const reply = (task) => task.status?.message?.parts?.[0]?.content?.value ?? '';

async function poll(client, id) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const task = await client.getTask({ tenant: '', id, historyLength: undefined });
    const s = task.status.state;
    if (s !== TaskState.TASK_STATE_SUBMITTED && s !== TaskState.TASK_STATE_WORKING) return task;
    if (Date.now() > deadline) throw new Error(`task ${id} still ${s}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function checkCard(base) {
  const res = await fetch(`${base}/.well-known/agent-card.json`);
  assert.equal(res.status, 200);
  const card = await res.json();
  const jwks = await (await fetch(`${base}/.well-known/jwks.json`)).json();
  // The SDK canonicalizes the card itself and checks signatures[] with the
  // key we hand it, chosen by kid from the node's JWKS (never by a jku).
  await verifyAgentCardSignature(async (kid) => {
    const jwk = jwks.keys.find((k) => k.kid === kid);
    if (!jwk) throw new Error(`kid ${kid} not in the JWKS`);
    return jwk;
  })(card);
  const forged = { ...card, name: 'Evil Node' };
  await assert.rejects(verifyAgentCardSignature(async (kid) => jwks.keys.find((k) => k.kid === kid))(forged));
  assert.ok(canonicalizeAgentCard(card).includes('"name":'));
  console.log('ok card: signatures[] verified by @a2a-js/sdk');
}

async function flow(base, token, apiKey, binding) {
  const client = await connect(base, token, apiKey, binding);
  const created = await send(client, 'Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.com');
  assert.equal(created.status.state, TaskState.TASK_STATE_COMPLETED, reply(created));
  assert.match(reply(created), /^Contact created/);
  assert.equal(created.artifacts[0].name, 'receipts');
  assert.equal(created.metadata.cost_usd, '0.000000');
  assert.ok(created.metadata.signed_reply);

  await send(client, 'Create a contact for Jane Smith, CTO of Initech, jane.smith@initech.example');
  const quick = await send(client, 'Find all contacts from Acme Corp', { now: true });
  assert.ok([TaskState.TASK_STATE_SUBMITTED, TaskState.TASK_STATE_WORKING, TaskState.TASK_STATE_COMPLETED].includes(quick.status.state));
  const found = await poll(client, quick.id);
  assert.equal(found.status.state, TaskState.TASK_STATE_COMPLETED);
  assert.match(reply(found), /Jane Doe/);

  const ask = await send(client, "Update Jane's phone to +44 20 7946 0000");
  assert.equal(ask.status.state, TaskState.TASK_STATE_INPUT_REQUIRED, reply(ask));
  const answer = await send(client, 'the one at Acme', { contextId: ask.contextId, taskId: ask.id });
  assert.equal(answer.id, ask.id);
  assert.equal(answer.status.state, TaskState.TASK_STATE_COMPLETED, reply(answer));

  const list = await client.listTasks({ tenant: '', contextId: '', status: TaskState.TASK_STATE_UNSPECIFIED, pageToken: '', statusTimestampAfter: undefined });
  assert.equal(list.tasks.length, 4);
  assert.ok(list.tasks.some((t) => t.id === ask.id));

  // Streaming: the task, its receipts, the final status with the reply.
  const events = [];
  for await (const ev of client.sendMessageStream({
    tenant: '', message: message('Create a contact for Tom Lee, CFO of Initech, tom@initech.example'), metadata: undefined,
    configuration: { acceptedOutputModes: [], taskPushNotificationConfig: undefined, returnImmediately: false },
  })) events.push(ev.payload);
  assert.equal(events[0].$case, 'task');
  const last = events.at(-1);
  assert.equal(last.$case, 'statusUpdate', JSON.stringify(events));
  assert.equal(last.value.status.state, TaskState.TASK_STATE_COMPLETED);
  assert.match(last.value.status.message.parts[0].content.value, /^Contact created/);
  assert.ok(events.some((e) => e.$case === 'artifactUpdate' && e.value.artifact.name === 'receipts'));
  console.log(`ok ${binding}: blocking, non-blocking, get, list, input_required answered, streamed`);
}

async function gated(base, token, apiKey, spentKey, binding) {
  const client = await connect(base, token, apiKey, binding);
  const held = await send(client, 'hold on', { now: true });
  // Followed by a subscription while it is held; it ends canceled.
  const sub = client.resubscribeTask({ tenant: '', id: held.id });
  const first = await sub.next();
  assert.equal(first.value.payload.$case, 'task');
  const canceled = await client.cancelTask({ tenant: '', id: held.id, metadata: undefined });
  assert.equal(canceled.status.state, TaskState.TASK_STATE_CANCELED);
  let end;
  for await (const ev of sub) end = ev.payload;
  assert.equal(end.$case, 'statusUpdate');
  assert.equal(end.value.status.state, TaskState.TASK_STATE_CANCELED);

  const broke = await connect(base, token, spentKey, binding);
  const refused = await send(broke, 'Create a contact for Jane Doe');
  assert.equal(refused.status.state, TaskState.TASK_STATE_FAILED);
  assert.match(reply(refused), /daily budget of \$0.*spent.*resets at/);

  await assert.rejects(client.getTask({ tenant: '', id: 'not-a-task', historyLength: undefined }));
  console.log(`ok ${binding}: subscribed, cancel, spent budget, unknown task`);
}

const base = env('A2A_BASE');
await checkCard(base);
await flow(base, env('A2A_TOKEN'), env('A2A_KEY'), 'JSONRPC');
await flow(base, env('A2A_TOKEN2'), env('A2A_KEY2'), 'HTTP+JSON');
for (const binding of ['JSONRPC', 'HTTP+JSON']) {
  await gated(env('A2A_GATED_BASE'), env('A2A_GATED_TOKEN'), env('A2A_GATED_KEY'), env('A2A_SPENT_KEY'), binding);
}
