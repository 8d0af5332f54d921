import { ChatKeep, type ChatKeepOptions } from "@chatkeep/client";
import { FlowRefs } from "./flow-refs.js";
import { FLOW_KEY, UserRecords, type StateObject } from "./records.js";

/** One entry of BuilderBot's history (what MemoryDB keeps in listHistory). */
export interface HistoryEntry {
  ref: string;
  keyword?: string | null;
  answer: unknown;
  refSerialize: string;
  from: string;
  options?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ChatKeepAdapterOptions extends Partial<ChatKeepOptions> {
  /** The gateway session (WhatsApp instance) the bot's messages belong to. */
  sessionId: string;
  /** The bot's own number, the other side of recorded messages (default: the provider's host). */
  botNumber?: string;
  /** The bot's flow (createFlow's result), so that a position saved by one process is
   * understood by the next; `attach(bot)` (or chatKeepState / recordConversation) does
   * the same from the bot. */
  flow?: { flowSerialize?: unknown[] };
  /** A client to share; otherwise one is made from baseUrl and apiKey. */
  client?: ChatKeep;
  /** Told about a failed call that the bot keeps running through (default: console.error). */
  onError?: (error: unknown, where: string) => void;
}

const ENTRY_FIELDS = ["ref", "keyword", "answer", "refSerialize", "from", "options"] as const;

/** BuilderBot's database adapter, kept in ChatKeep: the newest history entry with a
 * keyword of each user lives in their chat session state (under FLOW_KEY), so any
 * instance of the bot continues any user's flow, after any restart, until the chat
 * session expires (the tenant's chat_session_ttl_hours). One HTTP call each. */
export class ChatKeepAdapter {
  readonly client: ChatKeep;
  readonly sessionId: string;
  readonly botNumber: string | undefined;
  /** @internal shared with chatKeepState and recordConversation */
  readonly records: UserRecords;
  private readonly onError: (error: unknown, where: string) => void;
  private flowRefs: FlowRefs | undefined;

  constructor(options: ChatKeepAdapterOptions) {
    if (!options.sessionId) throw new TypeError("ChatKeepAdapter: sessionId is required");
    this.client = options.client ?? new ChatKeep(options as ChatKeepOptions);
    this.sessionId = options.sessionId;
    this.botNumber = options.botNumber;
    this.records = new UserRecords(this.client);
    this.onError = options.onError ?? ((error, where) => console.error(`[chatkeep] ${where}:`, error));
    if (options.flow) this.flowRefs = new FlowRefs(options.flow as never);
  }

  /** Learn the bot's flow (see `flow`). Returns the bot. */
  attach<B>(bot: B): B {
    const flowClass = (bot as { flowClass?: { flowSerialize?: unknown[] } }).flowClass;
    if (flowClass) this.flowRefs = new FlowRefs(flowClass as never);
    return bot;
  }

  /** The newest entry of `from` that has a keyword (one GET of the chat session, none
   * when chatKeepState read it for this very message). ChatKeep unreachable even after
   * retries: undefined, as for a new user, and onError is told. */
  async getPrevByNumber(from: string): Promise<HistoryEntry | undefined> {
    try {
      const state = this.records.takeFresh(from) ?? (await this.records.load(from));
      const entry = state[FLOW_KEY] as HistoryEntry | undefined;
      if (!entry || typeof entry !== "object") return undefined;
      return this.flowRefs ? this.flowRefs.decode(entry) : { ...entry };
    } catch (error) {
      this.onError(error, `getPrevByNumber(${from})`);
      return undefined;
    }
  }

  /** Keep `ctx` as the user's newest entry (one PUT of the chat session). An entry
   * without a keyword is never what getPrevByNumber answers, so it costs no call. */
  async save(ctx: HistoryEntry): Promise<void> {
    if (!ctx?.from || !ctx.keyword) return;
    const entry = this.flowRefs ? this.flowRefs.encode(pick(ctx)) : pick(ctx);
    try {
      await this.records.write(ctx.from, (state: StateObject) => ({ ...state, [FLOW_KEY]: entry }));
    } catch (error) {
      this.onError(error, `save(${ctx.from})`);
    }
  }

  /** @internal */
  report(error: unknown, where: string): void { this.onError(error, where); }
}

function pick(ctx: HistoryEntry): HistoryEntry {
  const entry: Record<string, unknown> = {};
  for (const field of ENTRY_FIELDS) if (ctx[field] !== undefined) entry[field] = ctx[field];
  // Options may hold functions or media buffers in memory: what JSON keeps is what MySQL kept.
  return JSON.parse(JSON.stringify(entry)) as HistoryEntry;
}
