import type { Transport } from "../http.js";
import type { ConversationReport, DeliveryReport } from "../gen/types.gen.js";

/** API v1.2 analytics: days in the tenant's time zone; rates are 0..1 or null, times in
 * seconds or null (API.md, "Analytics"). */
export interface AnalyticsQuery { from?: string; to?: string; session_id?: string }

export class Analytics {
  constructor(private readonly t: Transport) {}
  delivery(query: AnalyticsQuery = {}): Promise<DeliveryReport> {
    return this.t.request("GET", "/api/v1/analytics/delivery", { query: { ...query } });
  }
  conversations(query: AnalyticsQuery = {}): Promise<ConversationReport> {
    return this.t.request("GET", "/api/v1/analytics/conversations", { query: { ...query } });
  }
}
