import { ChatKeepProblem, ChatKeepUnreachable } from "./problem.js";

export type Query = Record<string, string | number | boolean | string[] | null | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** Answer statuses treated as "nothing there" and returned as undefined (e.g. [404]). */
  absentOn?: number[];
  /** Return the Response unread (streams: exports). */
  raw?: boolean;
  signal?: AbortSignal;
}

export interface TransportOptions {
  baseUrl: string;
  apiKey?: string;
  adminToken?: string;
  /** Per-attempt timeout in ms (default 30 000). */
  timeoutMs?: number;
  /** Retries of idempotent calls (GET, PUT, DELETE) on 502/503/504 or no answer (default 2). */
  maxRetries?: number;
  fetch?: typeof globalThis.fetch;
  userAgent?: string;
}

const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE"]);
const RETRY_STATUSES = new Set([502, 503, 504]);

/** One place where every call is made: auth header, JSON in and out, problems, retries. */
export class Transport {
  readonly baseUrl: string;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly fetchImpl: typeof globalThis.fetch;
  private readonly userAgent: string;

  constructor(options: TransportOptions) {
    if (!options.baseUrl) throw new TypeError("ChatKeep: baseUrl is required");
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.token = options.apiKey ?? options.adminToken;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxRetries = options.maxRetries ?? 2;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.userAgent = options.userAgent ?? "chatkeep-node/1.2.0";
  }

  url(path: string, query?: Query): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null) continue;
      for (const one of Array.isArray(value) ? value : [value]) params.append(key, String(one));
    }
    const search = params.toString();
    return `${this.baseUrl}${path}${search ? `?${search}` : ""}`;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = this.url(path, options.query);
    const headers: Record<string, string> = { Accept: "application/json", "User-Agent": this.userAgent };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.body);
    }
    const retries = IDEMPOTENT.has(method) ? this.maxRetries : 0;
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        const signals = [AbortSignal.timeout(this.timeoutMs), ...(options.signal ? [options.signal] : [])];
        response = await this.fetchImpl(url, { method, headers, body, signal: AbortSignal.any(signals) });
      } catch (error) {
        if (attempt < retries && !options.signal?.aborted) { await sleep(backoffMs(attempt, null)); continue; }
        throw new ChatKeepUnreachable(method, url, error);
      }
      if (RETRY_STATUSES.has(response.status) && attempt < retries) {
        await response.body?.cancel();
        await sleep(backoffMs(attempt, response.headers.get("Retry-After")));
        continue;
      }
      if (options.absentOn?.includes(response.status)) { await response.body?.cancel(); return undefined as T; }
      if (!response.ok) throw await problemFrom(response, method, url);
      if (options.raw) return response as T;
      if (response.status === 204) return undefined as T;
      const text = await readText(response, method, url);
      if (!text) return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch (error) {
        throw new ChatKeepProblem({ status: response.status, title: "Response is not JSON", detail: text.slice(0, 200),
          requestId: response.headers.get("X-Request-Id") ?? undefined, method, url, cause: error });
      }
    }
  }
}

async function readText(response: Response, method: string, url: string): Promise<string> {
  try {
    return await response.text();
  } catch (error) {
    throw new ChatKeepUnreachable(method, url, error);
  }
}

/** The problem+json of an error answer, or one shaped like it from whatever came. */
async function problemFrom(response: Response, method: string, url: string): Promise<ChatKeepProblem> {
  const requestId = response.headers.get("X-Request-Id") ?? undefined;
  let text = "";
  try { text = await response.text(); } catch { /* the status says enough */ }
  let parsed: Record<string, unknown> | undefined;
  try {
    const value = JSON.parse(text);
    if (value && typeof value === "object" && !Array.isArray(value)) parsed = value;
  } catch { /* not JSON: a proxy's page */ }
  if (!parsed) {
    return new ChatKeepProblem({ status: response.status, title: response.statusText || `HTTP ${response.status}`,
      detail: text.slice(0, 200) || undefined, requestId, method, url });
  }
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  const errors = parsed.errors && typeof parsed.errors === "object" ? parsed.errors as Record<string, unknown> : {};
  return new ChatKeepProblem({
    status: typeof parsed.status === "number" ? parsed.status : response.status,
    type: str(parsed.type), title: str(parsed.title) ?? (response.statusText || `HTTP ${response.status}`),
    detail: str(parsed.detail), requestId: str(parsed.request_id) ?? requestId, errors, method, url,
  });
}

function backoffMs(attempt: number, retryAfter: string | null): number {
  const seconds = retryAfter === null ? NaN : Number(retryAfter);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds, 5) * 1000;
  return 250 * 2 ** attempt;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
