// A TypeScript client of a live soisnode, typed from the node's own
// /openapi.yaml by openapi-typescript (gen/schema.d.ts, written by
// openapi/clients_test.go) and calling it with openapi-fetch: create a
// conversation, poll it until it stops running, read its receipts.
// Settings come from the environment: BASE_URL, SOIS_TOKEN, SOIS_API_KEY,
// MESSAGE. It prints one JSON object.
import createClient from "openapi-fetch";
import type { paths, components } from "./gen/schema.js";

type Conversation = components["schemas"]["Conversation"];

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

const client = createClient<paths>({
  baseUrl: env("BASE_URL"),
  headers: { Authorization: `Bearer ${env("SOIS_TOKEN")}`, "X-Api-Key": env("SOIS_API_KEY") },
});

async function main(): Promise<void> {
  const created = await client.POST("/api/agent", { body: { message: env("MESSAGE") } });
  if (created.error || !created.data) {
    throw new Error(`create: ${created.response.status} ${JSON.stringify(created.error)}`);
  }
  // 202 (queued) names the conversation; 200 (with ?wait) is the conversation.
  const id: string = "conversation_id" in created.data ? created.data.conversation_id : created.data.id;
  const deadline = Date.now() + 30_000;
  let conv: Conversation | undefined;
  for (;;) {
    // Long polling: the node answers when the turn stops running.
    const got = await client.GET("/api/agent/conversations/{id}", { params: { path: { id }, query: { wait: 5 } } });
    if (got.error || !got.data) {
      throw new Error(`poll: ${got.response.status} ${JSON.stringify(got.error)}`);
    }
    conv = got.data;
    if (conv.status !== "queued" && conv.status !== "running") break;
    if (Date.now() > deadline) throw new Error(`still ${conv.status} after 30 s`);
  }
  const receipts = (conv.turns ?? []).flatMap((t) => t.actions ?? []).map((a) => ({ tool: a.tool, ok: a.ok, ref: a.ref }));
  process.stdout.write(JSON.stringify({ id, status: conv.status, reply: conv.reply, receipts }));
}

main().catch((err: unknown) => {
  process.stderr.write(String(err) + "\n");
  process.exit(1);
});
