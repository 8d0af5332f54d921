import type { Erasure, Order, OrderComplete, OrderCreate, Stats } from "../gen/types.gen.js";
import type { Transport } from "../http.js";
import { PageIterator, type ListOptions } from "../pages.js";

const seg = encodeURIComponent;

export class Orders {
  constructor(private readonly t: Transport) {}
  /** Status `pending`; the same `external_order_id` again answers the stored order. */
  create(body: OrderCreate): Promise<Order> { return this.t.request("POST", "/api/v1/orders", { body }); }
  get(id: string): Promise<Order> { return this.t.request("GET", `/api/v1/orders/${seg(id)}`); }
  list(query: ListOptions & { status?: "pending" | "completed" | "cancelled" } = {}): PageIterator<Order> {
    return new PageIterator(this.t, "/api/v1/orders", { ...query });
  }
  /** Completing twice counts once; a cancelled order answers 409. */
  complete(id: string, body: OrderComplete = {}): Promise<Order> {
    return this.t.request("POST", `/api/v1/orders/${seg(id)}/complete`, { body });
  }
  cancel(id: string): Promise<Order> { return this.t.request("POST", `/api/v1/orders/${seg(id)}/cancel`); }
}

export class StatsResource {
  constructor(private readonly t: Transport) {}
  /** All-time totals and one entry a day of the range (dates `YYYY-MM-DD`). */
  get(range: { from?: string; to?: string } = {}): Promise<Stats> {
    return this.t.request("GET", "/api/v1/stats", { query: range });
  }
}

/** What the tenant holds about one end user: export it, erase it. */
export class Contacts {
  constructor(private readonly t: Transport) {}
  export(phone: string): Promise<Record<string, unknown>> {
    return this.t.request("GET", `/api/v1/contacts/${seg(phone)}/export`);
  }
  /** Erase everything about `phone`. A long history answers `state: "running"`:
   * `erasure(id)` until it is `done` (or pass `{ wait: true }`). */
  async erase(phone: string, options: { wait?: boolean; pollMs?: number } = {}): Promise<Erasure> {
    let erasure = await this.t.request<Erasure>("DELETE", `/api/v1/contacts/${seg(phone)}`);
    while (options.wait && erasure.state === "running" && erasure.id) {
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
      erasure = { ...erasure, ...(await this.erasure(erasure.id)) };
    }
    return erasure;
  }
  erasure(id: string): Promise<Erasure> { return this.t.request("GET", `/api/v1/contacts/erasures/${seg(id)}`); }
}
