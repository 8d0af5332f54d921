"""MongoEngine documents. TENANT_DOCUMENTS lists every tenant-owned one (tests check it)."""
from models.chat_session import ChatSession
from models.conversation import Conversation
from models.event import Event
from models.gateway_session import GatewaySession
from models.lease import Lease
from models.legacy_import import LegacyImport
from models.message import Message
from models.order import Order
from models.sales_stats import SalesDay, SalesTotal
from models.tenancy import TenantDocument
from models.tenant import Tenant
from models.webhook_archive import WebhookArchive

GLOBAL_DOCUMENTS = (Tenant, Lease)
TENANT_DOCUMENTS = (GatewaySession, Message, Conversation, ChatSession, Order, SalesTotal, SalesDay,
                    LegacyImport, WebhookArchive, Event)

__all__ = ["GLOBAL_DOCUMENTS", "TENANT_DOCUMENTS", "ChatSession", "Conversation", "Event", "GatewaySession", "Lease", "LegacyImport", "Message",
           "Order", "SalesDay", "SalesTotal", "Tenant", "TenantDocument", "WebhookArchive"]
