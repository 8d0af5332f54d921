"""MongoEngine documents. TENANT_DOCUMENTS lists every tenant-owned one (tests check it)."""
from models.conversation import Conversation
from models.gateway_session import GatewaySession
from models.message import Message
from models.tenancy import TenantDocument
from models.tenant import Tenant

GLOBAL_DOCUMENTS = (Tenant,)
TENANT_DOCUMENTS = (GatewaySession, Message, Conversation)

__all__ = ["GLOBAL_DOCUMENTS", "TENANT_DOCUMENTS", "Conversation", "GatewaySession", "Message",
           "Tenant", "TenantDocument"]
