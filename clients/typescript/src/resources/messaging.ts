import type {
  ChatSession, Conversation, GatewayLink, GatewayLinkPut, Message, MessageCreate, Session, SessionPut,
  StatusUpdate,
} from "../gen/types.gen.js";
import type { Transport } from "../http.js";
import { PageIterator, type ListOptions } from "../pages.js";

const seg = encodeURIComponent;
// Named here from the request bodies, not exported: the document may name them too.
type MessageStatus = NonNullable<MessageCreate["status"]>;
type Direction = MessageCreate["direction"];
type SessionStatus = SessionPut["status"];

/** Gateway sessions (WhatsApp instances). */
export class Sessions {
  constructor(private readonly t: Transport) {}
  put(sessionId: string, body: SessionPut): Promise<Session> {
    return this.t.request("PUT", `/api/v1/sessions/${seg(sessionId)}`, { body });
  }
  get(sessionId: string): Promise<Session> { return this.t.request("GET", `/api/v1/sessions/${seg(sessionId)}`); }
  list(query: ListOptions & { status?: SessionStatus } = {}): PageIterator<Session> {
    return new PageIterator(this.t, "/api/v1/sessions", { ...query });
  }
  delete(sessionId: string): Promise<void> { return this.t.request("DELETE", `/api/v1/sessions/${seg(sessionId)}`); }
  /** Link the session to its gateway, so ChatKeep can ask it how the session is. */
  putGateway(sessionId: string, body: GatewayLinkPut): Promise<GatewayLink> {
    return this.t.request("PUT", `/api/v1/sessions/${seg(sessionId)}/gateway`, { body });
  }
  getGateway(sessionId: string): Promise<GatewayLink> {
    return this.t.request("GET", `/api/v1/sessions/${seg(sessionId)}/gateway`);
  }
  deleteGateway(sessionId: string): Promise<void> {
    return this.t.request("DELETE", `/api/v1/sessions/${seg(sessionId)}/gateway`);
  }
  sync(sessionId: string): Promise<Session> { return this.t.request("POST", `/api/v1/sessions/${seg(sessionId)}/sync`); }
}

export interface MessageFilters extends ListOptions {
  direction?: Direction; status?: MessageStatus; session_id?: string; since?: string; until?: string;
}
export interface SearchFilters extends ListOptions {
  session_id?: string; direction?: Direction; since?: string; until?: string;
}
export interface ExportFilters {
  format?: "jsonl" | "csv"; since?: string; until?: string; session_id?: string;
  /** `<a>:<b>`, the two phones of one conversation. */
  conversation?: string;
}

export class Messages {
  constructor(private readonly t: Transport) {}
  /** Record a message; the same `external_id` again answers the stored one (200). */
  create(body: MessageCreate): Promise<Message> { return this.t.request("POST", "/api/v1/messages", { body }); }
  get(id: string): Promise<Message> { return this.t.request("GET", `/api/v1/messages/${seg(id)}`); }
  getByExternalId(externalId: string): Promise<Message> {
    return this.t.request("GET", `/api/v1/messages/by-external-id/${seg(externalId)}`);
  }
  list(filters: MessageFilters = {}): PageIterator<Message> {
    return new PageIterator(this.t, "/api/v1/messages", { ...filters });
  }
  updateStatus(id: string, status: StatusUpdate["status"], error?: string): Promise<Message> {
    return this.t.request("PATCH", `/api/v1/messages/${seg(id)}`, { body: error === undefined ? { status } : { status, error } });
  }
  /** Messages whose text or caption has every word of `q` (API v1.2). */
  search(q: string, filters: SearchFilters = {}): PageIterator<Message> {
    return new PageIterator(this.t, "/api/v1/messages/search", { ...filters, q });
  }
  /** The streamed export (API v1.2): a Response whose body is JSONL or CSV, oldest first. */
  export(filters: ExportFilters = {}): Promise<Response> {
    return this.t.request("GET", "/api/v1/messages/export", { query: { format: "jsonl", ...filters }, raw: true });
  }
}

export class Conversations {
  constructor(private readonly t: Transport) {}
  list(query: ListOptions & { session_id?: string } = {}): PageIterator<Conversation> {
    return new PageIterator(this.t, "/api/v1/conversations", { ...query });
  }
  get(a: string, b: string): Promise<Conversation> {
    return this.t.request("GET", `/api/v1/conversations/${seg(a)}/${seg(b)}`);
  }
  /** That pair's messages, newest first; `a` and `b` in any order and any phone form. */
  messages(a: string, b: string, query: ListOptions = {}): PageIterator<Message> {
    return new PageIterator(this.t, `/api/v1/conversations/${seg(a)}/${seg(b)}/messages`, { ...query });
  }
  markRead(a: string, b: string): Promise<Conversation> {
    return this.t.request("POST", `/api/v1/conversations/${seg(a)}/${seg(b)}/read`);
  }
  delete(a: string, b: string): Promise<void> {
    return this.t.request("DELETE", `/api/v1/conversations/${seg(a)}/${seg(b)}`);
  }
}

/** A bot's state per end user; it expires after the tenant's chat_session_ttl_hours. */
export class ChatSessions {
  constructor(private readonly t: Transport) {}
  /** Replace the state (`lastActivity` defaults to now on the service). */
  put(phone: string, state: Record<string, unknown>, lastActivity?: string): Promise<ChatSession> {
    const body = lastActivity === undefined ? { state } : { state, last_activity: lastActivity };
    return this.t.request("PUT", `/api/v1/chat-sessions/${seg(phone)}`, { body });
  }
  get(phone: string): Promise<ChatSession> { return this.t.request("GET", `/api/v1/chat-sessions/${seg(phone)}`); }
  /** Like get, but undefined instead of a 404 (none, or expired). */
  find(phone: string): Promise<ChatSession | undefined> {
    return this.t.request("GET", `/api/v1/chat-sessions/${seg(phone)}`, { absentOn: [404] });
  }
  list(query: ListOptions = {}): PageIterator<ChatSession> {
    return new PageIterator(this.t, "/api/v1/chat-sessions", { ...query });
  }
  delete(phone: string): Promise<void> { return this.t.request("DELETE", `/api/v1/chat-sessions/${seg(phone)}`); }
}
