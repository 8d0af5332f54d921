import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, test } from "node:test";
import { ChatKeep } from "@chatkeep/client";
import { ChatKeepAdapter, ChatKeepStateHandler, FLOW_KEY } from "@chatkeep/builderbot";
import { BotProcess } from "./bot-process.mjs";

const baseUrl = process.env.CHATKEEP_URL, apiKey = process.env.CHATKEEP_API_KEY;
if (!baseUrl || !apiKey) throw new Error("set CHATKEEP_URL and CHATKEEP_API_KEY");
const ck = new ChatKeep({ baseUrl, apiKey });
const BOT_NUMBER = "5511987654321";
const SESSION = `bot-${randomBytes(3).toString("hex")}`;
const ENV = { BOT_SESSION_ID: SESSION, BOT_NUMBER };
const bots = [];
after(() => Promise.all(bots.map((b) => b.kill())));

const phone = () => "55119" + String(randomBytes(4).readUInt32BE()).padStart(8, "0").slice(-8);
const wamid = () => `wamid.${randomBytes(8).toString("hex").toUpperCase()}`;
/** The bot has saved that it waits for the user's reply (a real user takes seconds to
 * answer; a bot killed in the milliseconds before that save would ask again). */
async function awaitingReply(user, question) {
  for (let poll = 0; poll < 200; poll++) {
    const entry = (await ck.chatSessions.find(user))?.state?.[FLOW_KEY];
    if (entry?.options?.capture) return entry;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`the bot never saved that it waits for an answer to "${question}"`);
}

async function start(name) {
  const bot = await BotProcess.start(name, ENV);
  bots.push(bot);
  return bot;
}

test("a three-step flow interrupted by restarting the bot process continues where it was", async () => {
  const user = phone();
  const first = await start("first");
  const hello = wamid();
  first.say(user, "hola", hello);
  await first.answered(user, "nombre");
  first.say(user, "Ana", wamid());
  await first.answered(user, "producto");
  await awaitingReply(user, "producto");
  await first.kill();  // no goodbye: the process is gone

  const again = await start("again");
  again.say(user, "USB", wamid());
  const done = await again.next((l) => l.to === user && l.text?.startsWith("Pedido"));
  assert.equal(done.text, "Pedido de Ana: USB (again)");

  // The flow position and the state are in the user's chat session...
  const session = await ck.chatSessions.get(user);
  assert.equal(session.state.name, "Ana");
  assert.equal(session.state.product, "USB");
  assert.ok(session.state[FLOW_KEY].refSerialize);
  // ...and the conversation is in ChatKeep, both ways, each message once.
  const thread = await ck.conversations.messages(user, BOT_NUMBER).toArray();
  const texts = thread.map((m) => `${m.direction}:${m.text}`).reverse();
  assert.deepEqual(texts.filter((t) => t.startsWith("in:")), ["in:hola", "in:Ana", "in:USB"]);
  assert.ok(texts.includes("out:¿Qué producto quieres?") && texts.includes("out:Pedido de Ana: USB (again)"), texts);
  assert.equal((await ck.messages.getByExternalId(hello)).text, "hola");
});

test("a second bot instance continues a conversation the first one started", async () => {
  const user = phone();
  const [a, b] = await Promise.all([start("a"), start("b")]);
  a.say(user, "hola", wamid());
  await a.answered(user, "nombre");
  await awaitingReply(user, "nombre");
  b.say(user, "Bruno", wamid());
  await b.answered(user, "producto");
  await awaitingReply(user, "producto");
  a.say(user, "Teclado", wamid());
  const done = await a.next((l) => l.to === user && l.text?.startsWith("Pedido"));
  assert.equal(done.text, "Pedido de Bruno: Teclado (a)");
});

test("the adapter alone: MemoryDB's shape, one HTTP call each, any instance", async () => {
  const calls = [];
  const counting = (input, init) => { calls.push(`${init.method} ${new URL(input).pathname}`); return fetch(input, init); };
  const client = new ChatKeep({ baseUrl, apiKey, fetch: counting });
  const one = new ChatKeepAdapter({ client, sessionId: SESSION });
  const other = new ChatKeepAdapter({ baseUrl, apiKey, sessionId: SESSION });
  const user = phone();
  assert.equal(await one.getPrevByNumber(user), undefined);
  const entry = { ref: "ans_1", keyword: "key_1", answer: "¿Cuál es tu nombre?", refSerialize: "abc",
                  from: user, options: { capture: true, buttons: [], delay: 0, media: null } };
  await one.save(entry);
  await one.save({ ref: "ans_2", keyword: null, answer: "no keyword", refSerialize: "x", from: user });
  assert.deepEqual(calls, [`GET /api/v1/chat-sessions/${user}`, `PUT /api/v1/chat-sessions/${user}`]);
  assert.deepEqual(await other.getPrevByNumber(user), entry);  // another instance, after "a restart"
  await ck.chatSessions.put(user, { [FLOW_KEY]: entry, note: "kept" });
  calls.length = 0;
  await one.getPrevByNumber(user);
  await one.save({ ...entry, ref: "ans_3", answer: "next" });
  assert.equal(calls.length, 2);
  const state = (await ck.chatSessions.get(user)).state;
  assert.equal(state.note, "kept");  // the rest of the user's state stays
  assert.equal(state[FLOW_KEY].answer, "next");
});

test("a read under way while the user's state is written never brings the older state back", async () => {
  let holdReads = false;
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const slowReads = async (input, init) => {
    const response = await fetch(input, init);
    if (holdReads && init.method === "GET") await sleep(300);  // answered, then held back
    return response;
  };
  const database = new ChatKeepAdapter({ client: new ChatKeep({ baseUrl, apiKey, fetch: slowReads }), sessionId: SESSION });
  const state = new ChatKeepStateHandler(database);
  const user = phone();
  await database.getPrevByNumber(user);
  holdReads = true;
  const reading = database.records.load(user);  // reads the empty state, held 300 ms
  await sleep(100);
  await state.updateState({ from: user })({ name: "Ana" });
  await reading;
  assert.deepEqual(state.getMyState(user)(), { name: "Ana" });
  assert.equal(state.get(user)("name"), "Ana");
});

test("a gateway webhook of a message the bot recorded is stored once", async (t) => {
  const slug = process.env.CHATKEEP_TENANT_SLUG, token = process.env.CHATKEEP_WEBHOOK_TOKEN;
  if (!slug || !token) return t.skip("CHATKEEP_TENANT_SLUG / CHATKEEP_WEBHOOK_TOKEN not set");
  const user = phone();
  const bot = await start("hooked");
  const id = wamid();
  bot.say(user, "hola", id);
  await bot.answered(user, "nombre");
  const stored = await ck.messages.getByExternalId(id);
  const hook = await fetch(`${baseUrl}/webhooks/evolution/${slug}?token=${token}`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ event: "messages.upsert", instance: SESSION, sender: `${BOT_NUMBER}@s.whatsapp.net`,
      data: { key: { id, remoteJid: `${user}@s.whatsapp.net`, fromMe: false }, message: { conversation: "hola" },
              messageTimestamp: Math.floor(Date.now() / 1000) } }),
  });
  assert.equal(hook.status, 200, await hook.clone().text());
  assert.equal((await hook.json()).duplicates, 1);
  const thread = await ck.conversations.messages(user, BOT_NUMBER).toArray();
  assert.equal(thread.filter((m) => m.direction === "in").length, 1);
  assert.equal((await ck.messages.getByExternalId(id)).id, stored.id);
});
