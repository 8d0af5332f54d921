import { Transport, type RequestOptions, type TransportOptions } from "./http.js";
import { Admin } from "./resources/admin.js";
import { Analytics } from "./resources/analytics.js";
import { Contacts, Orders, StatsResource } from "./resources/commerce.js";
import { Events, WebhookEndpoints } from "./resources/events.js";
import { ChatSessions, Conversations, Messages, Sessions } from "./resources/messaging.js";

export type ChatKeepOptions = TransportOptions;

/** The ChatKeep API: `new ChatKeep({ baseUrl, apiKey })` (or `adminToken` for `admin`). */
export class ChatKeep {
  readonly sessions: Sessions;
  readonly messages: Messages;
  readonly conversations: Conversations;
  readonly chatSessions: ChatSessions;
  readonly orders: Orders;
  readonly stats: StatsResource;
  readonly events: Events;
  readonly webhookEndpoints: WebhookEndpoints;
  readonly contacts: Contacts;
  readonly analytics: Analytics;
  readonly admin: Admin;
  private readonly transport: Transport;

  constructor(options: ChatKeepOptions) {
    const t = (this.transport = new Transport(options));
    this.sessions = new Sessions(t);
    this.messages = new Messages(t);
    this.conversations = new Conversations(t);
    this.chatSessions = new ChatSessions(t);
    this.orders = new Orders(t);
    this.stats = new StatsResource(t);
    this.events = new Events(t);
    this.webhookEndpoints = new WebhookEndpoints(t);
    this.contacts = new Contacts(t);
    this.analytics = new Analytics(t);
    this.admin = new Admin(t);
  }

  /** Any endpoint, with the same auth, problems and retries as the named calls. */
  request<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<T> {
    return this.transport.request<T>(method, path, options);
  }
}

export { ChatKeepProblem, ChatKeepUnreachable } from "./problem.js";
export { ChatKeepSignatureError, signWebhook, verifyWebhook, type VerifyOptions } from "./webhooks.js";
export { PageIterator, type ListOptions, type Page } from "./pages.js";
export type { Query, RequestOptions, TransportOptions } from "./http.js";
export type * from "./resources/messaging.js";
export type * from "./resources/analytics.js";
export type * from "./gen/types.gen.js";
