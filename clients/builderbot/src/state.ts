import type { ChatKeepAdapter } from "./adapter.js";
import { FLOW_KEY, type StateObject } from "./records.js";

type Ctx = { from: string };

/** BuilderBot's per-user `state` (SingleState's shape), kept in each user's ChatKeep
 * chat session next to the flow position: reads are synchronous as BuilderBot expects,
 * from the state read when the user's message arrived; update and clear write through. */
export class ChatKeepStateHandler {
  constructor(private readonly adapter: ChatKeepAdapter) {}

  updateState = (ctx: Ctx = { from: "" }) => (keyValue: StateObject): Promise<void> =>
    this.adapter.records.write(ctx.from, (state) => ({ ...state, ...keyValue })).catch((error) => {
      this.adapter.report(error, `state.update(${ctx.from})`);
    });

  getMyState = (from: string) => (): StateObject | undefined => userPart(this.adapter.records.cached(from));

  get = (from: string) => (prop: string): unknown => {
    let value: unknown = userPart(this.adapter.records.cached(from));
    for (const key of prop.split(".")) {
      if (value === undefined || value === null) return undefined;
      value = (value as StateObject)[key];
    }
    return value;
  };

  /** The states of the users this process has seen (ChatKeep lists every active one:
   * `adapter.client.chatSessions.list()`). */
  getAllState = (): IterableIterator<StateObject> => {
    const all = [...this.adapter.records.users()].map(userPart).filter((s): s is StateObject => !!s);
    return all.values();
  };

  /** Forget the user's state; the flow position stays. */
  clear = (from: string) => (): Promise<void> =>
    this.adapter.records.write(from, (state) => (FLOW_KEY in state ? { [FLOW_KEY]: state[FLOW_KEY] } : {}))
      .catch((error) => this.adapter.report(error, `state.clear(${from})`));
}

function userPart(state: StateObject | undefined): StateObject | undefined {
  if (!state) return undefined;
  const { [FLOW_KEY]: _flow, ...user } = state;
  return Object.keys(user).length ? user : undefined;
}

interface BotLike {
  stateHandler: unknown;
  handleMsg: (ctx: Ctx & Record<string, unknown>) => Promise<unknown>;
}

/** Opt in: each user's `state` lives in ChatKeep, so it survives restarts and every
 * instance of the bot sees it. Call once, right after createBot. Each incoming message
 * then reads the user's chat session once (which getPrevByNumber reuses). */
export function chatKeepState<B>(bot: B, adapter: ChatKeepAdapter): B {
  const core = adapter.attach(bot) as unknown as BotLike;
  core.stateHandler = new ChatKeepStateHandler(adapter);
  const handle = core.handleMsg;
  core.handleMsg = async (ctx) => {
    if (ctx?.from && ctx.body) {
      try {
        await adapter.records.load(ctx.from, true);
      } catch (error) {
        adapter.report(error, `state.load(${ctx.from})`);
      }
    }
    return handle(ctx);
  };
  return bot;
}
