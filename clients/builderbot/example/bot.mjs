// The TechAura shop bot, on ChatKeep: flow position, each customer's state, the
// conversation, orders and sales statistics all live in ChatKeep, so the bot can be
// restarted (or run twice) without losing anyone's place.
//
//   make run                                   # ChatKeep on http://127.0.0.1:8000
//   CHATKEEP_API_KEY=ck_live_... npm start     # in clients/builderbot/example
//
// Type as the customer: "hola", then answer the questions; "pagado" completes the
// order; "ventas" shows the sales statistics. Stop the bot mid-flow (Ctrl-C), start it
// again, and carry on where you were. The console stands in for WhatsApp: in production
// replace ConsoleProvider with BuilderBot's provider (e.g. `createProvider(BaileysProvider)`
// from @builderbot/provider-baileys); nothing else changes.
import { addKeyword, createBot, createFlow, TestTool } from "@builderbot/bot";
import { ChatKeepAdapter, chatKeepState, recordConversation } from "@chatkeep/builderbot";
import { createInterface } from "node:readline";

const baseUrl = process.env.CHATKEEP_URL ?? "http://127.0.0.1:8000";
const apiKey = process.env.CHATKEEP_API_KEY;
const sessionId = process.env.BOT_SESSION_ID ?? "store-main";
const botNumber = process.env.BOT_NUMBER ?? "5511987654321";
const customer = process.env.CUSTOMER_PHONE ?? "5511912345678";
if (!apiKey) {
  console.error("Set CHATKEEP_API_KEY (a tenant's key: flask --app app tenants create techaura)");
  process.exit(2);
}

// The adapter replaces MysqlAdapter; its client is the whole ChatKeep API.
const database = new ChatKeepAdapter({ baseUrl, apiKey, sessionId, botNumber });
const ck = database.client;
const PRICES = { usb: "25.00", cable: "12.50" };

const orderFlow = addKeyword(["hola", "oi", "comprar"])
  .addAnswer("¡Hola! Vendemos memorias USB y cables. ¿Qué quieres? (usb / cable)", { capture: true },
    async (ctx, { state, fallBack }) => {
      const product = ctx.body.trim().toLowerCase();
      if (!PRICES[product]) return fallBack("Escribe usb o cable, por favor.");
      await state.update({ product });
    })
  .addAnswer("¿Cuántas unidades?", { capture: true }, async (ctx, { state, fallBack }) => {
    const quantity = Number.parseInt(ctx.body, 10);
    if (!(quantity > 0 && quantity < 100)) return fallBack("Un número del 1 al 99, por favor.");
    await state.update({ quantity });
  })
  .addAnswer("Registrando tu pedido...", null, async (ctx, { state, flowDynamic }) => {
    // orderPersistence + statsPersistence.recordOrder: one call, counted once even if retried.
    const product = state.get("product"), quantity = state.get("quantity");
    const order = await ck.orders.create({
      external_order_id: `TA-${ctx.from}-${Date.now()}`, recipient_phone: ctx.from,
      items: [{ product_type: product, quantity, unit_price: PRICES[product] }],
    });
    await state.update({ orderId: order.id });
    await flowDynamic(`Pedido ${order.external_order_id}: ${quantity} x ${product} = R$ ${order.total}. Escribe "pagado" cuando pagues.`);
  });

const paidFlow = addKeyword(["pagado"]).addAction(async (ctx, { state, flowDynamic }) => {
  const orderId = state.get("orderId");
  if (!orderId) return flowDynamic("No tienes un pedido pendiente. Escribe hola para comprar.");
  // statsPersistence.recordCompletion: completing twice counts once.
  const order = await ck.orders.complete(orderId);
  await state.clear();
  await flowDynamic(`¡Gracias! Pedido ${order.external_order_id} completado.`);
});

const statsFlow = addKeyword(["ventas"]).addAction(async (_ctx, { flowDynamic }) => {
  // statsPersistence.getStats: all-time totals and the days of the range.
  const today = new Date().toISOString().slice(0, 10);
  const { totals } = await ck.stats.get({ from: today, to: today });
  await flowDynamic(`Pedidos: ${totals.orders}, completados: ${totals.completed}, ingresos: R$ ${totals.revenue}`);
});

/** WhatsApp stand-in: what you type is the customer's message, answers are printed. */
class ConsoleProvider extends TestTool.TestProvider {
  sent = 0;
  async sendMessage(to, text) {
    console.log(`bot -> ${to}: ${text}`);
    return { key: { id: `console-${process.pid}-${Date.now()}-${++this.sent}` } };
  }
}

const provider = new ConsoleProvider();
const bot = await createBot({ flow: createFlow([orderFlow, paidFlow, statsFlow]), provider, database });
chatKeepState(bot, database);       // sessionPersistence: each customer's state, any restart, any instance
recordConversation(bot, database);  // the conversation shows in ChatKeep's dashboard
await ck.sessions.put(sessionId, { status: "open", phone_number: botNumber });

console.log(`Bot on ChatKeep ${baseUrl}, session ${sessionId}. You are ${customer}; type "hola".`);
const input = createInterface({ input: process.stdin });
input.on("line", (line) => {
  if (!line.trim()) return;
  provider.emit("message", { from: customer, body: line.trim(), name: "Cliente",
                             key: { id: `console-in-${process.pid}-${Date.now()}` } });
});
input.on("close", () => setTimeout(() => process.exit(0), 1500));  // piped input: let the last answers go
