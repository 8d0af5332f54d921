"""Operator API: tenants. Disabled (404) unless CHATKEEP_ADMIN_TOKEN is set."""
from flask.views import MethodView

from blueprints.auth import require_admin
from extensions import ADMIN_SECURITY, Blueprint
from schemas.pagination import PageQuerySchema
from schemas.tenants import (
    ApiKeySchema,
    TenantCreatedSchema,
    TenantCreateSchema,
    TenantPageSchema,
    TenantSchema,
    TenantSettingsSchema,
    WebhookTokenSchema,
)
from services.tenancy import tenants

blp = Blueprint("admin", __name__, url_prefix="/api/v1/admin",
                description="Operator endpoints (Bearer CHATKEEP_ADMIN_TOKEN).")
blp.before_request(require_admin)


@blp.route("/tenants")
class Tenants(MethodView):
    @blp.doc(security=ADMIN_SECURITY)
    @blp.arguments(TenantCreateSchema)
    @blp.response(201, TenantCreatedSchema)
    @blp.alt_response(409, description="The slug is taken.")
    def post(self, body):
        """Create a tenant; its api_key and webhook_token are shown only here."""
        tenant, secrets_shown_once = tenants.create_tenant(body["slug"], body["name"])
        return {**tenant.to_mongo().to_dict(), **secrets_shown_once}

    @blp.doc(security=ADMIN_SECURITY)
    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, TenantPageSchema)
    def get(self, query):
        """List tenants by slug (no secrets)."""
        return tenants.list_tenants(query["limit"], query["cursor"], query["include_total"])


@blp.route("/tenants/<slug>")
class TenantBySlug(MethodView):
    @blp.doc(security=ADMIN_SECURITY)
    @blp.response(200, TenantSchema)
    def get(self, slug):
        """One tenant (no secrets)."""
        return tenants.get_tenant(slug)

    @blp.doc(security=ADMIN_SECURITY)
    @blp.arguments(TenantSettingsSchema)
    @blp.response(200, TenantSchema)
    def patch(self, body, slug):
        """Change settings: name, Cloud API secret and verify token, chat session TTL, timezone."""
        return tenants.update_tenant(slug, body)


@blp.route("/tenants/<slug>/rotate-key", methods=["POST"])
@blp.doc(security=ADMIN_SECURITY)
@blp.response(200, ApiKeySchema)
def rotate_key(slug):
    """Issue a new api_key; the old one stops working at once."""
    tenant, api_key = tenants.rotate_secret(slug, "api_key")
    return {"slug": tenant.slug, "api_key": api_key}


@blp.route("/tenants/<slug>/rotate-webhook-token", methods=["POST"])
@blp.doc(security=ADMIN_SECURITY)
@blp.response(200, WebhookTokenSchema)
def rotate_webhook_token(slug):
    """Issue a new webhook_token; the old one stops working at once."""
    tenant, token = tenants.rotate_secret(slug, "webhook_token")
    return {"slug": tenant.slug, "webhook_token": token}
