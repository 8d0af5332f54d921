import type { ChatKeepAdapter } from "./adapter.js";

type AnyRecord = Record<string, any>;

/** The gateway's id of a message, as providers hand it over (Baileys `key.id`, Meta
 * `message_id`, WPPConnect/Venom `id`): recorded as external_id, so the same message
 * arriving through the gateway's webhooks too is stored once. */
export function gatewayMessageId(message: AnyRecord | undefined | null): string | undefined {
  if (!message || typeof message !== "object") return undefined;
  const id = message.key?.id ?? message.message_id ?? message.messageId
    ?? (typeof message.id === "string" ? message.id : message.id?._serialized ?? message.id?.id);
  return typeof id === "string" && id ? id : undefined;
}

interface BotLike {
  provider: { on(event: string, handler: (payload: AnyRecord) => unknown): void };
  on(event: string, handler: (payload: AnyRecord) => unknown): void;
  generalArgs?: { host?: string };
}

/** Opt in: the bot's conversation shows in ChatKeep, messages in (provider `message`)
 * and out (bot `send_message`), each recorded with one POST /api/v1/messages. */
export function recordConversation<B>(bot: B, adapter: ChatKeepAdapter): B {
  const core = adapter.attach(bot) as unknown as BotLike;
  const botNumber = (ctx?: AnyRecord) => adapter.botNumber ?? ctx?.host ?? core.generalArgs?.host;
  const record = async (direction: "in" | "out", user: string, text: unknown, externalId: string | undefined,
                        ctx?: AnyRecord) => {
    const own = botNumber(ctx);
    if (!own || !user || typeof text !== "string" || !text || text.startsWith("__")) return;
    try {
      await adapter.client.messages.create({
        session_id: adapter.sessionId, direction, text, ...(externalId ? { external_id: externalId } : {}),
        from: direction === "in" ? user : own, to: direction === "in" ? own : user,
      });
    } catch (error) {
      adapter.report(error, `record ${direction} message (${user})`);
    }
  };
  core.provider.on("message", (ctx) => record("in", ctx.from, ctx.body, gatewayMessageId(ctx), ctx));
  core.on("send_message", (sent) => record("out", sent.from, sent.answer, gatewayMessageId(sent.respMessage), sent));
  return bot;
}
