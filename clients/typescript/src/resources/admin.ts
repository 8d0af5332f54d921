import type {
  ApiKey, Manifest, ManifestList, SnapshotRunning, Tenant, TenantCreated, TenantSettings, WebhookToken,
} from "../gen/types.gen.js";
import type { Transport } from "../http.js";
import { PageIterator, type ListOptions } from "../pages.js";

const seg = encodeURIComponent;

/** Operator calls, made with `adminToken`. */
export class Tenants {
  constructor(private readonly t: Transport) {}
  /** The answer's `api_key` is shown only here. */
  create(slug: string, options: { name?: string } = {}): Promise<TenantCreated> {
    return this.t.request("POST", "/api/v1/admin/tenants", { body: { slug, name: options.name ?? slug } });
  }
  get(slug: string): Promise<Tenant> { return this.t.request("GET", `/api/v1/admin/tenants/${seg(slug)}`); }
  list(query: ListOptions = {}): PageIterator<Tenant> {
    return new PageIterator(this.t, "/api/v1/admin/tenants", { ...query });
  }
  update(slug: string, settings: TenantSettings): Promise<Tenant> {
    return this.t.request("PATCH", `/api/v1/admin/tenants/${seg(slug)}`, { body: settings });
  }
  rotateKey(slug: string): Promise<ApiKey> {
    return this.t.request("POST", `/api/v1/admin/tenants/${seg(slug)}/rotate-key`);
  }
  rotateWebhookToken(slug: string): Promise<WebhookToken> {
    return this.t.request("POST", `/api/v1/admin/tenants/${seg(slug)}/rotate-webhook-token`);
  }
}

export class Snapshots {
  constructor(private readonly t: Transport) {}
  /** Take one now: its manifest, or `{state: "running"}` when one is already being taken. */
  create(): Promise<Manifest | SnapshotRunning> { return this.t.request("POST", "/api/v1/admin/snapshots"); }
  list(): Promise<ManifestList> { return this.t.request("GET", "/api/v1/admin/snapshots"); }
}

export class Admin {
  readonly tenants: Tenants;
  readonly snapshots: Snapshots;
  constructor(t: Transport) {
    this.tenants = new Tenants(t);
    this.snapshots = new Snapshots(t);
  }
}
