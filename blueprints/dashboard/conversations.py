"""Conversations, newest activity first, and one conversation's thread."""
from flask import flash, redirect, render_template, request, url_for
from marshmallow import ValidationError

from blueprints.dashboard.web import bp, signed_in_as
from schemas.dashboard import ConversationFilterSchema, CursorQuerySchema, MessageSearchFormSchema
from schemas.fields import phone_or_422
from services.messaging import conversations, message_search, messages
from services.phones import conversation_id_for

CONVERSATIONS_PER_PAGE = 25
MESSAGES_PER_PAGE = 50
RESULTS_PER_PAGE = 25


def _conversation_id(a: str, b: str) -> str:
    return conversation_id_for(phone_or_422(a, "a"), phone_or_422(b, "b"))


@bp.route("/conversations")
@signed_in_as("tenant")
def conversation_list():
    query = ConversationFilterSchema().load(request.args)
    page = conversations.list_conversations(None, CONVERSATIONS_PER_PAGE, query["cursor"], False,
                                            unread_only=query["unread"], phone=query.get("phone"))
    return render_template("dashboard/conversations.html", page=page, query=query,
                           searched=request.args.get("phone", ""))


@bp.route("/conversations/search")
@signed_in_as("tenant")
def message_search_results():
    """Messages with every word typed (as GET /api/v1/messages/search), each linking to its thread."""
    words = request.args.get("q", "")
    try:
        query = MessageSearchFormSchema().load(request.args)
    except ValidationError as exc:  # the form again, saying what to change
        problems = [m for field in ("q", "cursor") for m in exc.messages.get(field, [])]
        return render_template("dashboard/message_search.html", words=words, problems=problems, page=None), 422
    page = message_search.search(query["q"], {}, RESULTS_PER_PAGE, query["cursor"])
    return render_template("dashboard/message_search.html", words=words, problems=[], page=page)


@bp.route("/conversations/<a>/<b>")
@signed_in_as("tenant")
def thread(a, b):
    """The page shows newest-first pages oldest at the top, as a chat does."""
    conversation_id = _conversation_id(a, b)
    summary = conversations.get_conversation(conversation_id)
    cursor = CursorQuerySchema().load(request.args)["cursor"]
    page = messages.list_messages({"conversation_id": conversation_id}, MESSAGES_PER_PAGE, cursor, False)
    return render_template("dashboard/thread.html", summary=summary, shown=list(reversed(page["items"])),
                           next_cursor=page["next_cursor"], a=a, b=b)


@bp.route("/conversations/<a>/<b>/read", methods=["POST"])
@signed_in_as("tenant")
def mark_read(a, b):
    conversations.mark_read(_conversation_id(a, b))
    flash("Marked as read.")
    return redirect(url_for("dashboard.thread", a=a, b=b), 303)
