"""Contains all the data models used in inputs/outputs"""

from .api_key import ApiKey
from .attempt import Attempt
from .chat_session import ChatSession
from .chat_session_page import ChatSessionPage
from .chat_session_put import ChatSessionPut
from .chat_session_put_state import ChatSessionPutState
from .chat_session_state import ChatSessionState
from .contact_export import ContactExport
from .conversation import Conversation
from .conversation_figures import ConversationFigures
from .conversation_page import ConversationPage
from .conversation_report import ConversationReport
from .conversation_report_day import ConversationReportDay
from .day_figures import DayFigures
from .day_figures_by_product_type import DayFiguresByProductType
from .delivery_figures import DeliveryFigures
from .delivery_report import DeliveryReport
from .delivery_report_day import DeliveryReportDay
from .direction import Direction
from .endpoint import Endpoint
from .endpoint_create import EndpointCreate
from .endpoint_patch import EndpointPatch
from .endpoint_with_secret import EndpointWithSecret
from .erased_counts import ErasedCounts
from .erasure import Erasure
from .erasure_state import ErasureState
from .event import Event
from .event_data import EventData
from .event_page import EventPage
from .event_type import EventType
from .figures import Figures
from .figures_by_product_type import FiguresByProductType
from .file_entry import FileEntry
from .gateway_kind import GatewayKind
from .gateway_link import GatewayLink
from .gateway_link_put import GatewayLinkPut
from .manifest import Manifest
from .manifest_files import ManifestFiles
from .manifest_list import ManifestList
from .media import Media
from .message import Message
from .message_create import MessageCreate
from .message_page import MessagePage
from .message_status import MessageStatus
from .message_status_history_item import MessageStatusHistoryItem
from .message_type import MessageType
from .messages_export_format import MessagesExportFormat
from .order import Order
from .order_complete import OrderComplete
from .order_create import OrderCreate
from .order_item import OrderItem
from .order_item_out import OrderItemOut
from .order_page import OrderPage
from .order_status import OrderStatus
from .problem import Problem
from .problem_errors import ProblemErrors
from .product_type_figures import ProductTypeFigures
from .rejected_item import RejectedItem
from .session import Session
from .session_page import SessionPage
from .session_put import SessionPut
from .session_status import SessionStatus
from .snapshot_running import SnapshotRunning
from .stats import Stats
from .status_update import StatusUpdate
from .tenant import Tenant
from .tenant_create import TenantCreate
from .tenant_created import TenantCreated
from .tenant_page import TenantPage
from .tenant_settings import TenantSettings
from .webhook_delivery_page import WebhookDeliveryPage
from .webhook_endpoint_page import WebhookEndpointPage
from .webhook_result import WebhookResult
from .webhook_token import WebhookToken
from .webhooks_evolution_event_receive_body import WebhooksEvolutionEventReceiveBody
from .webhooks_evolution_receive_body import WebhooksEvolutionReceiveBody
from .webhooks_waha_receive_body import WebhooksWahaReceiveBody
from .webhooks_whatsapp_receive_body import WebhooksWhatsappReceiveBody

__all__ = (
    "ApiKey",
    "Attempt",
    "ChatSession",
    "ChatSessionPage",
    "ChatSessionPut",
    "ChatSessionPutState",
    "ChatSessionState",
    "ContactExport",
    "Conversation",
    "ConversationFigures",
    "ConversationPage",
    "ConversationReport",
    "ConversationReportDay",
    "DayFigures",
    "DayFiguresByProductType",
    "DeliveryFigures",
    "DeliveryReport",
    "DeliveryReportDay",
    "Direction",
    "Endpoint",
    "EndpointCreate",
    "EndpointPatch",
    "EndpointWithSecret",
    "ErasedCounts",
    "Erasure",
    "ErasureState",
    "Event",
    "EventData",
    "EventPage",
    "EventType",
    "Figures",
    "FiguresByProductType",
    "FileEntry",
    "GatewayKind",
    "GatewayLink",
    "GatewayLinkPut",
    "Manifest",
    "ManifestFiles",
    "ManifestList",
    "Media",
    "Message",
    "MessageCreate",
    "MessagePage",
    "MessageStatus",
    "MessageStatusHistoryItem",
    "MessageType",
    "MessagesExportFormat",
    "Order",
    "OrderComplete",
    "OrderCreate",
    "OrderItem",
    "OrderItemOut",
    "OrderPage",
    "OrderStatus",
    "Problem",
    "ProblemErrors",
    "ProductTypeFigures",
    "RejectedItem",
    "Session",
    "SessionPage",
    "SessionPut",
    "SessionStatus",
    "SnapshotRunning",
    "Stats",
    "StatusUpdate",
    "Tenant",
    "TenantCreate",
    "TenantCreated",
    "TenantPage",
    "TenantSettings",
    "WebhookDeliveryPage",
    "WebhookEndpointPage",
    "WebhookResult",
    "WebhookToken",
    "WebhooksEvolutionEventReceiveBody",
    "WebhooksEvolutionReceiveBody",
    "WebhooksWahaReceiveBody",
    "WebhooksWhatsappReceiveBody",
)
