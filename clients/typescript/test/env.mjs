// The service under test: tests/integration/test_clients_node.py starts a real ChatKeep,
// makes a tenant and passes these. Run by hand: CHATKEEP_URL=... CHATKEEP_API_KEY=... node --test
import { randomBytes } from "node:crypto";

export const baseUrl = process.env.CHATKEEP_URL;
export const apiKey = process.env.CHATKEEP_API_KEY;
export const adminToken = process.env.CHATKEEP_ADMIN_TOKEN;
if (!baseUrl || !apiKey) throw new Error("set CHATKEEP_URL and CHATKEEP_API_KEY (a running ChatKeep and a tenant's key)");

/** Digits unique to this run, so a rerun against the same tenant starts clean. */
export function uniquePhone() {
  return "55119" + String(parseInt(randomBytes(4).toString("hex"), 16)).padStart(8, "0").slice(-8);
}
export const unique = (prefix) => `${prefix}-${randomBytes(4).toString("hex")}`;
