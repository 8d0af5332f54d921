import type {
  Attempt, Endpoint, EndpointCreate, EndpointPatch, EndpointWithSecret, Event,
} from "../gen/types.gen.js";
import type { Transport } from "../http.js";
import { PageIterator, type ListOptions } from "../pages.js";

const seg = encodeURIComponent;

export class Events {
  constructor(private readonly t: Transport) {}
  /** The feed, oldest first, from `after` (or the start) to the newest event. The
   * iterator's `cursor` is then where to poll from next time. */
  list(query: { after?: string | null; type?: string | string[]; limit?: number } = {}): PageIterator<Event> {
    const { after, ...rest } = query;
    return new PageIterator(this.t, "/api/v1/events", { ...rest, after: after ?? undefined }, "after");
  }
}

/** The tenant's own URLs that receive events, signed (see verifyWebhook). */
export class WebhookEndpoints {
  constructor(private readonly t: Transport) {}
  /** The answer's `secret` is shown only here and on rotateSecret. */
  create(body: EndpointCreate): Promise<EndpointWithSecret> {
    return this.t.request("POST", "/api/v1/webhook-endpoints", { body });
  }
  get(id: string): Promise<Endpoint> { return this.t.request("GET", `/api/v1/webhook-endpoints/${seg(id)}`); }
  list(query: ListOptions = {}): PageIterator<Endpoint> {
    return new PageIterator(this.t, "/api/v1/webhook-endpoints", { ...query });
  }
  update(id: string, body: EndpointPatch): Promise<Endpoint> {
    return this.t.request("PATCH", `/api/v1/webhook-endpoints/${seg(id)}`, { body });
  }
  delete(id: string): Promise<void> { return this.t.request("DELETE", `/api/v1/webhook-endpoints/${seg(id)}`); }
  rotateSecret(id: string): Promise<EndpointWithSecret> {
    return this.t.request("POST", `/api/v1/webhook-endpoints/${seg(id)}/rotate-secret`);
  }
  /** Delivery attempts, newest first. */
  deliveries(id: string, query: ListOptions = {}): PageIterator<Attempt> {
    return new PageIterator(this.t, `/api/v1/webhook-endpoints/${seg(id)}/deliveries`, { ...query });
  }
}
