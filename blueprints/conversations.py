"""Conversations: the unordered pair of phone numbers, with a live summary."""
from flask.views import MethodView

from blueprints.auth import require_tenant
from extensions import Blueprint
from schemas.conversations import ConversationListQuerySchema, ConversationPageSchema, ConversationSchema
from schemas.fields import phone_or_422
from schemas.messages import MessagePageSchema
from schemas.pagination import PageQuerySchema
from services.messaging import conversations, messages
from services.phones import conversation_id_for

blp = Blueprint("conversations", __name__, url_prefix="/api/v1/conversations",
                description="Conversations by pair of numbers; <a>/<b> in any order and any phone form.")
blp.before_request(require_tenant)


def _conversation_id(a: str, b: str) -> str:
    return conversation_id_for(phone_or_422(a, "a"), phone_or_422(b, "b"))


@blp.route("")
@blp.arguments(ConversationListQuerySchema, location="query")
@blp.response(200, ConversationPageSchema)
def list_conversations(query):
    """Newest activity first. A conversation with new activity moves to the top, so a
    traversal in progress shows each conversation at most once."""
    return conversations.list_conversations(query.get("session_id"), query["limit"], query["cursor"],
                                            query["include_total"])


@blp.route("/<a>/<b>")
class ConversationByPair(MethodView):
    @blp.response(200, ConversationSchema)
    def get(self, a, b):
        """One conversation's summary."""
        summary = conversations.get_conversation(_conversation_id(a, b))
        summary["last_message"] = messages.get_message(summary["last_message_id"])
        return summary

    @blp.response(204)
    def delete(self, a, b):
        """Delete the conversation: its messages and its summary."""
        conversations.delete_conversation(_conversation_id(a, b))


@blp.route("/<a>/<b>/messages")
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, MessagePageSchema)
def conversation_messages(query, a, b):
    """The pair's messages, newest first."""
    return messages.list_messages({"conversation_id": _conversation_id(a, b)}, query["limit"],
                                  query["cursor"], query["include_total"])


@blp.route("/<a>/<b>/read", methods=["POST"])
@blp.response(200, ConversationSchema)
def mark_read(a, b):
    """Mark every inbound message read: unread_count becomes 0."""
    return conversations.mark_read(_conversation_id(a, b))
