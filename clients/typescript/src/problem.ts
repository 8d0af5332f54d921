/** Every error a ChatKeep call can end in: the service's RFC 9457 problem, or one made
 * here with the same fields when no problem came back (service unreachable, a proxy's
 * HTML page, a body that is not JSON), so callers catch one class. */
export class ChatKeepProblem extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly requestId: string | undefined;
  /** Field-level messages of a 422, e.g. `{ status: ["Must be one of: ..."] }`. */
  readonly errors: Record<string, unknown>;
  readonly method: string;
  readonly url: string;

  constructor(init: {
    status: number; type?: string; title: string; detail?: string; requestId?: string;
    errors?: Record<string, unknown>; method: string; url: string; cause?: unknown;
  }) {
    super(`${init.method} ${init.url}: ${init.status} ${init.title}${init.detail ? `: ${init.detail}` : ""}`,
      init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "ChatKeepProblem";
    this.status = init.status;
    this.type = init.type ?? "about:blank";
    this.title = init.title;
    this.detail = init.detail;
    this.requestId = init.requestId;
    this.errors = init.errors ?? {};
    this.method = init.method;
    this.url = init.url;
  }
}

/** The service could not be reached (status 0): connection refused, reset, timed out. */
export class ChatKeepUnreachable extends ChatKeepProblem {
  constructor(method: string, url: string, cause: unknown) {
    super({ status: 0, type: "about:blank", title: "Service unreachable",
            detail: cause instanceof Error ? cause.message : String(cause), method, url, cause });
    this.name = "ChatKeepUnreachable";
  }
}
