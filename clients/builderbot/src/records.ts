import type { ChatKeep } from "@chatkeep/client";

/** The key of a user's chat session state that holds BuilderBot's flow position. */
export const FLOW_KEY = "__builderbot__";

export type StateObject = Record<string, unknown>;

/** Each user's ChatKeep chat session state as this process last read or wrote it,
 * with that user's writes sent one after another (a PUT replaces the whole state, so
 * two PUTs of one user must not overtake each other). */
export class UserRecords {
  private readonly states = new Map<string, StateObject>();
  private readonly chains = new Map<string, Promise<unknown>>();
  /** Users whose state was read for the message being handled right now: the adapter's
   * next getPrevByNumber serves it instead of reading the same thing again. */
  private readonly fresh = new Set<string>();
  /** Writes made per user, so a read that was under way during a write cannot put the
   * older state it got back in the cache. */
  private readonly writes = new Map<string, number>();

  constructor(private readonly client: ChatKeep, private readonly maxUsers = 10_000) {}

  cached(phone: string): StateObject | undefined { return this.states.get(phone); }
  users(): IterableIterator<StateObject> { return this.states.values(); }

  /** Read the user's state from ChatKeep (after this process's own pending writes). */
  async load(phone: string, markFresh = false): Promise<StateObject> {
    await this.settled(phone);
    const writesBefore = this.writes.get(phone) ?? 0;
    const session = await this.client.chatSessions.find(phone);
    let state = (session?.state as StateObject | undefined) ?? {};
    if ((this.writes.get(phone) ?? 0) !== writesBefore && this.states.has(phone)) state = this.states.get(phone)!;
    this.remember(phone, state);
    if (markFresh) this.fresh.add(phone);
    return state;
  }

  /** The state read by `load(phone, true)` just before, once; else undefined. */
  takeFresh(phone: string): StateObject | undefined {
    return this.fresh.delete(phone) ? this.states.get(phone) : undefined;
  }

  /** Change the user's state here at once (reads see it) and in ChatKeep in order. */
  write(phone: string, change: (state: StateObject) => StateObject): Promise<void> {
    this.fresh.delete(phone);
    this.writes.set(phone, (this.writes.get(phone) ?? 0) + 1);
    const known = this.states.get(phone);
    const applied = known ? change({ ...known }) : undefined;
    if (applied) this.remember(phone, applied);
    const run = async () => {
      // Not read by this process yet (a message sent first): read, so other keys stay.
      const next = applied ? (this.states.get(phone) ?? applied) : change({ ...(await this.loadUnchained(phone)) });
      this.remember(phone, next);
      await this.client.chatSessions.put(phone, next);
    };
    const previous = this.chains.get(phone) ?? Promise.resolve();
    const done = previous.then(run, run);
    this.chains.set(phone, done);
    void done.finally(() => { if (this.chains.get(phone) === done) this.chains.delete(phone); }).catch(() => {});
    return done;
  }

  private async loadUnchained(phone: string): Promise<StateObject> {
    return ((await this.client.chatSessions.find(phone))?.state as StateObject | undefined) ?? {};
  }

  private async settled(phone: string): Promise<void> {
    await this.chains.get(phone)?.catch(() => {});
  }

  private remember(phone: string, state: StateObject): void {
    this.states.delete(phone);  // re-inserted last: the Map's order is then least recently used first
    this.states.set(phone, state);
    if (this.states.size > this.maxUsers) {
      const oldest = this.states.keys().next().value!;
      this.states.delete(oldest);
      this.writes.delete(oldest);
    }
  }
}
