import { createHmac, timingSafeEqual } from "node:crypto";
import type { Event } from "./gen/types.gen.js";

/** A webhook delivery whose ChatKeep-Signature does not hold: missing, malformed,
 * forged, or older (or newer) than the tolerance. */
export class ChatKeepSignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ChatKeepSignatureError";
  }
}

export interface VerifyOptions {
  /** How far `t` may be from now, in seconds (default 300): an old delivery replayed fails. */
  toleranceS?: number;
  /** Unix seconds to check against (default: now). */
  now?: number;
}

/** Checks `ChatKeep-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`
 * over the raw body exactly as received, and returns the parsed event. Throws
 * ChatKeepSignatureError otherwise. Several v1 entries (a rotation) pass if one matches. */
export function verifyWebhook(rawBody: string | Uint8Array, signatureHeader: string | null | undefined,
                              secret: string, options: VerifyOptions = {}): Event {
  if (!signatureHeader) throw new ChatKeepSignatureError("no ChatKeep-Signature header");
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of signatureHeader.split(",")) {
    const [key, value] = part.trim().split("=", 2);
    if (key === "t" && /^\d+$/.test(value ?? "")) timestamp = Number(value);
    else if (key === "v1" && /^[0-9a-f]{64}$/i.test(value ?? "")) signatures.push(value!.toLowerCase());
  }
  if (timestamp === undefined || signatures.length === 0) {
    throw new ChatKeepSignatureError("malformed ChatKeep-Signature header");
  }
  const body = typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : Buffer.from(rawBody);
  const expected = createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest();
  const matches = signatures.some((hex) => timingSafeEqual(Buffer.from(hex, "hex"), expected));
  if (!matches) throw new ChatKeepSignatureError("signature does not match");
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceS ?? 300)) {
    throw new ChatKeepSignatureError("signature timestamp outside the tolerance");
  }
  try {
    return JSON.parse(body.toString("utf8")) as Event;
  } catch {
    throw new ChatKeepSignatureError("signed body is not JSON");
  }
}

/** The header value for `body`: for tests of a receiver. */
export function signWebhook(rawBody: string | Uint8Array, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const body = typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : Buffer.from(rawBody);
  const mac = createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex");
  return `t=${timestamp},v1=${mac}`;
}
