"""MongoEngine documents. TENANT_DOCUMENTS lists every tenant-owned one (tests check it)."""
from models.gateway_session import GatewaySession
from models.tenancy import TenantDocument
from models.tenant import Tenant

GLOBAL_DOCUMENTS = (Tenant,)
TENANT_DOCUMENTS = (GatewaySession,)

__all__ = ["GLOBAL_DOCUMENTS", "TENANT_DOCUMENTS", "GatewaySession", "Tenant", "TenantDocument"]
