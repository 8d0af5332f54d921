import type { Query, Transport } from "./http.js";

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
  total?: number;
}

/** Every item of a list endpoint, page after page, following `next_cursor`:
 * `for await (const item of ck.messages.list())`. `pages()` gives whole pages. */
export class PageIterator<T> implements AsyncIterable<T> {
  /** The cursor after the last page read: for the events feed, where to poll from next. */
  cursor: string | null = null;

  constructor(
    private readonly transport: Transport,
    private readonly path: string,
    private readonly query: Query,
    private readonly cursorParam: "cursor" | "after" = "cursor",
  ) {}

  async *pages(): AsyncGenerator<Page<T>> {
    let cursor = (this.query[this.cursorParam] as string | undefined) ?? null;
    for (;;) {
      const page = await this.transport.request<Page<T>>("GET", this.path,
        { query: { ...this.query, [this.cursorParam]: cursor ?? undefined } });
      this.cursor = page.next_cursor ?? cursor;
      yield page;
      // The events feed never ends its cursor: an empty page means "caught up".
      if (!page.next_cursor || page.next_cursor === cursor || page.items.length === 0) return;
      cursor = page.next_cursor;
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for await (const page of this.pages()) yield* page.items;
  }

  /** The items in an array, at most `max` of them. */
  async toArray(max = Infinity): Promise<T[]> {
    const all: T[] = [];
    for await (const item of this) {
      if (all.length >= max) break;
      all.push(item);
    }
    return all;
  }
}

export interface ListOptions {
  /** Page size, 1..200 (the service's default 50). */
  limit?: number;
  /** Start from this cursor instead of the first page. */
  cursor?: string;
  include_total?: boolean;
}
