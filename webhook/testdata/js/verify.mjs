// Verifies captured soisnode deliveries with the npm "standardwebhooks"
// package, as a receiver would. Input (argv[2]): a JSON array of
// {name, secret, headers, body}; output: a JSON array of {name, ok, error}.
import { readFileSync } from "node:fs";
import { Webhook } from "standardwebhooks";

const cases = JSON.parse(readFileSync(process.argv[2], "utf8"));
const results = cases.map(({ name, secret, headers, body }) => {
  try {
    new Webhook(secret).verify(body, headers);
    return { name, ok: true };
  } catch (err) {
    return { name, ok: false, error: String(err && err.message ? err.message : err) };
  }
});
process.stdout.write(JSON.stringify(results));
