import type { Transport } from "../http.js";

/** API v1.2 analytics. Not in the OpenAPI document yet, so typed here by hand; the
 * figures follow API.md ("Analytics"). Rates are 0..1 or null, times in seconds or null. */
export interface AnalyticsQuery { from?: string; to?: string; session_id?: string }
export interface AnalyticsFrame<Figures> {
  from: string; to: string; timezone: string; totals: Figures; daily: Array<Figures & { date: string }>;
}
export interface DeliveryFigures {
  outbound: number; sent: number; delivered: number; read: number; failed: number;
  delivery_rate: number | null; read_rate: number | null; failure_rate: number | null;
  time_to_deliver_p50_s: number | null; time_to_deliver_p90_s: number | null;
  time_to_read_p50_s: number | null; time_to_read_p90_s: number | null;
}
export interface ConversationFigures {
  inbound: number; outbound: number; active_contacts: number; new_contacts: number;
  response_p50_s: number | null; response_p90_s: number | null;
}

export class Analytics {
  constructor(private readonly t: Transport) {}
  delivery(query: AnalyticsQuery = {}): Promise<AnalyticsFrame<DeliveryFigures>> {
    return this.t.request("GET", "/api/v1/analytics/delivery", { query: { ...query } });
  }
  conversations(query: AnalyticsQuery = {}): Promise<AnalyticsFrame<ConversationFigures>> {
    return this.t.request("GET", "/api/v1/analytics/conversations", { query: { ...query } });
  }
}
