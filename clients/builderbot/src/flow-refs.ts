import { createHash } from "node:crypto";

/** A row of BuilderBot's serialized flow (FlowClass.flowSerialize). */
interface Row {
  ref?: string;
  keyword?: unknown;
  answer?: unknown;
  refSerialize?: string;
  options?: { nested?: Row[] };
}

const TOKEN = /^ck:(ref|ser):(\d+):([0-9a-f]{8})$/;
const RANDOM_REF = /^(key|ans)_[0-9a-f-]{36}$/;

/** BuilderBot names each step of a flow with a random UUID made when the flow is built
 * (`ans_<uuid>`), and its refSerialize hashes that name: a new process has new names, so
 * a position saved by one process means nothing to the next. Saved entries therefore
 * carry `ck:<ref|ser>:<index>:<content hash>` tokens instead, translated back to this
 * process's names on reading (by index, else by the step's content when the flow changed). */
export class FlowRefs {
  private readonly rows: Row[] = [];
  private readonly tokens = new Map<string, string>();
  private readonly bySignature = new Map<string, number[]>();

  constructor(flowClass: { flowSerialize?: Row[] }) {
    const visit = (list: Row[] | undefined) => {
      for (const row of list ?? []) {
        this.rows.push(row);
        visit(row.options?.nested);
      }
    };
    visit(flowClass.flowSerialize);
    this.rows.forEach((row, index) => {
      const sig = signature(row);
      this.bySignature.set(sig, [...(this.bySignature.get(sig) ?? []), index]);
      if (row.ref && !this.tokens.has(row.ref)) this.tokens.set(row.ref, `ck:ref:${index}:${sig}`);
      if (row.refSerialize && !this.tokens.has(row.refSerialize)) this.tokens.set(row.refSerialize, `ck:ser:${index}:${sig}`);
    });
  }

  encode<T>(value: T): T {
    return walk(value, (text) => this.tokens.get(text) ?? text);
  }

  /** The entry in this process's names; undefined when a step is gone from the flow. */
  decode<T>(value: T): T | undefined {
    let lost = false;
    const decoded = walk(value, (text) => {
      const match = TOKEN.exec(text);
      if (!match) return text;
      const row = this.resolve(Number(match[2]), match[3]!);
      if (!row) { lost = true; return text; }
      return (match[1] === "ref" ? row.ref : row.refSerialize) ?? text;
    });
    return lost ? undefined : decoded;
  }

  private resolve(index: number, sig: string): Row | undefined {
    const row = this.rows[index];
    if (row && signature(row) === sig) return row;
    const same = this.bySignature.get(sig) ?? [];
    return same.length === 1 ? this.rows[same[0]!] : undefined;
  }
}

function signature(row: Row): string {
  const keyword = typeof row.keyword === "string" && RANDOM_REF.test(row.keyword) ? null : row.keyword ?? null;
  return createHash("md5").update(JSON.stringify([keyword, row.answer ?? null])).digest("hex").slice(0, 8);
}

function walk<T>(value: T, text: (s: string) => string): T {
  if (typeof value === "string") return text(value) as T;
  if (Array.isArray(value)) return value.map((v) => walk(v, text)) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, text)])) as T;
  }
  return value;
}
