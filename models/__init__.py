"""MongoEngine documents. TENANT_DOCUMENTS lists every tenant-owned one (tests check it)."""
from models.analytics import AnalyticsDay
from models.chat_session import ChatSession
from models.conversation import Conversation, ConversationRepair
from models.erasure import ErasedContact, Erasure
from models.event import Event
from models.event_bell import EventBell
from models.gateway_session import GatewaySession
from models.lease import Lease
from models.legacy_import import LegacyImport
from models.message import Message
from models.message_term import MessageTerm
from models.order import Order
from models.restore_marker import RestoreMarker
from models.sales_stats import SalesDay, SalesTotal
from models.secret_check import SecretCheck
from models.tenancy import TenantDocument
from models.tenant import Tenant
from models.webhook_archive import WebhookArchive
from models.webhook_endpoint import WebhookAttempt, WebhookCursor, WebhookDelivery, WebhookEndpoint, WebhookLane

GLOBAL_DOCUMENTS = (Tenant, Lease, RestoreMarker, SecretCheck, EventBell, WebhookCursor, WebhookLane)
TENANT_DOCUMENTS = (GatewaySession, Message, Conversation, ConversationRepair, ChatSession, Order, SalesTotal,
                    SalesDay, LegacyImport, WebhookArchive, Event, WebhookEndpoint, WebhookDelivery, WebhookAttempt,
                    ErasedContact, Erasure, AnalyticsDay, MessageTerm)

__all__ = ["GLOBAL_DOCUMENTS", "TENANT_DOCUMENTS", "AnalyticsDay", "ChatSession", "Conversation",
           "ConversationRepair", "ErasedContact", "Erasure", "Event", "EventBell", "GatewaySession", "Lease",
           "LegacyImport", "Message", "MessageTerm", "Order", "RestoreMarker", "SalesDay", "SalesTotal", "SecretCheck",
           "Tenant", "TenantDocument", "WebhookArchive", "WebhookAttempt", "WebhookCursor", "WebhookDelivery",
           "WebhookEndpoint", "WebhookLane"]
