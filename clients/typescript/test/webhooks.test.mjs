import assert from "node:assert/strict";
import { createServer } from "node:http";
import { test } from "node:test";
import { ChatKeep, ChatKeepSignatureError, signWebhook, verifyWebhook } from "@chatkeep/client";
import { apiKey, baseUrl, unique, uniquePhone } from "./env.mjs";

const ck = new ChatKeep({ baseUrl, apiKey });

/** A receiver on loopback that keeps each delivery's raw body and signature header
 * (the service runs with OUTBOUND_ALLOW_PRIVATE=true to reach it). */
async function receiver(t) {
  const deliveries = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      deliveries.push({ raw: Buffer.concat(chunks), signature: req.headers["chatkeep-signature"],
                        type: req.headers["chatkeep-event-type"] });
      res.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => server.close());
  return { url: `http://127.0.0.1:${server.address().port}/hook`, deliveries };
}

async function until(predicate, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) assert.fail("timed out");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test("webhook endpoints: a real delivery verifies; forged, re-signed and stale ones are refused", async (t) => {
  const hook = await receiver(t);
  const endpoint = await ck.webhookEndpoints.create({ url: hook.url, types: ["message.created"], description: unique("d") });
  t.after(() => ck.webhookEndpoints.delete(endpoint.id));
  assert.match(endpoint.secret, /^whsec_/);
  const text = unique("signed");
  await ck.messages.create({ session_id: "store-main", direction: "in", from: uniquePhone(), to: "5511987654321", text });
  await until(() => hook.deliveries.length > 0);
  const { raw, signature } = hook.deliveries[0];

  const event = verifyWebhook(raw, signature, endpoint.secret);
  assert.equal(event.type, "message.created");
  assert.equal(event.data.text, text);

  const forged = Buffer.from(raw.toString().replace(text, "forged"));
  assert.throws(() => verifyWebhook(forged, signature, endpoint.secret), ChatKeepSignatureError);
  assert.throws(() => verifyWebhook(raw, signature, "whsec_not-the-secret"), ChatKeepSignatureError);
  assert.throws(() => verifyWebhook(raw, undefined, endpoint.secret), ChatKeepSignatureError);
  const old = Math.floor(Date.now() / 1000) - 3600;
  assert.throws(() => verifyWebhook(raw, signWebhook(raw, endpoint.secret, old), endpoint.secret), /tolerance/);
  assert.equal(verifyWebhook(raw, signWebhook(raw, endpoint.secret, old), endpoint.secret, { toleranceS: 7200 }).id, event.id);

  assert.equal((await ck.webhookEndpoints.get(endpoint.id)).url, hook.url);
  assert.ok((await ck.webhookEndpoints.list().toArray()).some((e) => e.id === endpoint.id));
  assert.equal((await ck.webhookEndpoints.update(endpoint.id, { enabled: false })).enabled, false);
  const rotated = await ck.webhookEndpoints.rotateSecret(endpoint.id);
  assert.notEqual(rotated.secret, endpoint.secret);
  let logged = [];  // the attempt is logged just after the receiver answered
  for (let poll = 0; poll < 100 && !logged.some((a) => a.status_code === 204); poll++) {
    logged = await ck.webhookEndpoints.deliveries(endpoint.id).toArray();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.ok(logged.some((a) => a.status_code === 204), JSON.stringify(logged));
});
