"""The resources of CLIENTS.md over the generated operations. Each method returns the
answer's typed model (a coroutine of it with AsyncChatKeep); each list method returns an
iterator over every page. None for an optional argument means: leave it out."""
from . import _newer as newer
from ._calls import Call, given, wire
from ._generated.api.chat_sessions import chat_sessions_delete, chat_sessions_get, chat_sessions_list, chat_sessions_put
from ._generated.api.contacts import contacts_erase, contacts_erasure_get, contacts_export
from ._generated.api.conversations import (conversations_delete, conversations_get, conversations_list,
                                           conversations_messages, conversations_read)
from ._generated.api.events import events_list
from ._generated.api.messages import (messages_create, messages_get, messages_get_by_external_id, messages_list,
                                      messages_update_status)
from ._generated.api.orders import orders_cancel, orders_complete, orders_create, orders_get, orders_list
from ._generated.api.sessions import (sessions_delete, sessions_gateway_delete, sessions_gateway_get,
                                      sessions_gateway_put, sessions_get, sessions_list, sessions_put, sessions_sync)
from ._generated.api.stats import stats_get
from ._generated.api.webhook_endpoints import (webhook_endpoints_create, webhook_endpoints_delete,
                                               webhook_endpoints_deliveries, webhook_endpoints_get,
                                               webhook_endpoints_list, webhook_endpoints_rotate_secret,
                                               webhook_endpoints_update)


class Resource:
    def __init__(self, transport):
        self._t = transport

    def _list(self, op, *path, limit=None, **filters):
        return self._t.pages(lambda cursor: Call(op, path, params=given(limit=limit, cursor=cursor, **filters)))


class Sessions(Resource):
    """Gateway sessions (WhatsApp instances)."""

    def put(self, session_id, status, phone_number=None):
        return self._t.run(Call(sessions_put, (session_id,), body=given(status=status, phone_number=phone_number)))

    def get(self, session_id):
        return self._t.run(Call(sessions_get, (session_id,)))

    def list(self, status=None, limit=None):
        return self._list(sessions_list, limit=limit, status=status)

    def delete(self, session_id):
        return self._t.run(Call(sessions_delete, (session_id,)))

    def link_gateway(self, session_id, kind, api_key, base_url=None, instance=None):
        body = given(kind=kind, api_key=api_key, base_url=base_url, instance=instance)
        return self._t.run(Call(sessions_gateway_put, (session_id,), body=body))

    def gateway(self, session_id):
        return self._t.run(Call(sessions_gateway_get, (session_id,)))

    def unlink_gateway(self, session_id):
        return self._t.run(Call(sessions_gateway_delete, (session_id,)))

    def sync(self, session_id):
        return self._t.run(Call(sessions_sync, (session_id,)))


class Messages(Resource):
    def create(self, session_id, direction, from_, to, text=None, type=None, media=None,  # noqa: A002
               external_id=None, status=None, sent_at=None):
        body = given(session_id=session_id, direction=direction, from_=from_, to=to, text=text, type=type,
                     media=media, external_id=external_id, status=status, sent_at=sent_at)
        return self._t.run(Call(messages_create, body=body))

    def get(self, message_id):
        return self._t.run(Call(messages_get, (message_id,)))

    def get_by_external_id(self, external_id):
        return self._t.run(Call(messages_get_by_external_id, (external_id,)))

    def update_status(self, message_id, status, error=None, at=None):
        body = given(status=status, error=error, at=at)
        return self._t.run(Call(messages_update_status, (message_id,), body=body))

    def list(self, direction=None, status=None, session_id=None, since=None, until=None, limit=None):
        return self._list(messages_list, limit=limit, direction=direction, status=status, session_id=session_id,
                          since=since, until=until)

    def search(self, q, session_id=None, direction=None, since=None, until=None, limit=None):
        """Messages whose text or caption has every word of `q` (accents and case aside;
        `entreg*` is a prefix), newest first."""
        return newer.search(self._t, dict(q=q, session_id=session_id, direction=direction, since=since,
                                          until=until, limit=limit))

    def export(self, format="jsonl", since=None, until=None, session_id=None, conversation=None):  # noqa: A002
        """Every matching message, oldest first, streamed: Message objects (jsonl) or one dict
        per CSV row (csv). `conversation`: "<a>:<b>" phones."""
        return newer.export(self._t, format, dict(since=since, until=until, session_id=session_id,
                                                  conversation=conversation))


class Conversations(Resource):
    def list(self, session_id=None, limit=None):
        return self._list(conversations_list, limit=limit, session_id=session_id)

    def get(self, a, b):
        return self._t.run(Call(conversations_get, (a, b)))

    def messages(self, a, b, limit=None):
        return self._list(conversations_messages, a, b, limit=limit)

    def read(self, a, b):
        return self._t.run(Call(conversations_read, (a, b)))

    def delete(self, a, b):
        return self._t.run(Call(conversations_delete, (a, b)))


class ChatSessions(Resource):
    """A bot's state per end user; it expires with the tenant's chat_session_ttl_hours."""

    def put(self, phone, state, last_activity=None):
        body = given(last_activity=last_activity)
        body["state"] = wire(state)
        return self._t.run(Call(chat_sessions_put, (phone,), body=body))

    def get(self, phone):
        return self._t.run(Call(chat_sessions_get, (phone,)))

    def list(self, limit=None):
        return self._list(chat_sessions_list, limit=limit)

    def delete(self, phone):
        return self._t.run(Call(chat_sessions_delete, (phone,)))


class Orders(Resource):
    def create(self, external_order_id, recipient_phone, items, currency=None):
        body = given(external_order_id=external_order_id, recipient_phone=recipient_phone, items=items,
                     currency=currency)
        return self._t.run(Call(orders_create, body=body))

    def get(self, order_id):
        return self._t.run(Call(orders_get, (order_id,)))

    def list(self, status=None, limit=None):
        return self._list(orders_list, limit=limit, status=status)

    def complete(self, order_id, revenue=None):
        return self._t.run(Call(orders_complete, (order_id,), body=given(revenue=revenue)))

    def cancel(self, order_id):
        return self._t.run(Call(orders_cancel, (order_id,)))


class Stats(Resource):
    def get(self, from_=None, to=None):
        return self._t.run(Call(stats_get, params=given(from_=from_, to=to)))


class Events(Resource):
    def list(self, after=None, type=None, limit=None):  # noqa: A002
        """The feed, oldest first, up to now; the iterator's `next_cursor` afterwards is
        where to poll from later (`list(after=it.next_cursor)`). `type`: one or several."""
        types = [type] if isinstance(type, str) else type
        return self._t.pages(lambda cursor: Call(events_list, params=given(after=cursor, type=types, limit=limit)),
                             start=after, feed=True)


class WebhookEndpoints(Resource):
    def create(self, url, types=None, description=None):
        return self._t.run(Call(webhook_endpoints_create, body=given(url=url, types=types, description=description)))

    def get(self, endpoint_id):
        return self._t.run(Call(webhook_endpoints_get, (endpoint_id,)))

    def list(self, limit=None):
        return self._list(webhook_endpoints_list, limit=limit)

    def update(self, endpoint_id, **changes):
        """url, types, description (None clears it), enabled."""
        return self._t.run(Call(webhook_endpoints_update, (endpoint_id,), body=wire(changes)))

    def delete(self, endpoint_id):
        return self._t.run(Call(webhook_endpoints_delete, (endpoint_id,)))

    def rotate_secret(self, endpoint_id):
        return self._t.run(Call(webhook_endpoints_rotate_secret, (endpoint_id,)))

    def deliveries(self, endpoint_id, limit=None):
        return self._list(webhook_endpoints_deliveries, endpoint_id, limit=limit)


class Contacts(Resource):
    """One end user's data: exported, or erased for good."""

    def export(self, phone):
        return self._t.run(Call(contacts_export, (phone,)))

    def erase(self, phone):
        return self._t.run(Call(contacts_erase, (phone,)))

    def erasure(self, erasure_id):
        return self._t.run(Call(contacts_erasure_get, (erasure_id,)))


class Analytics(Resource):
    """Delivery and conversation figures per day (tenant time zone); `from_`/`to` dates."""

    def delivery(self, from_=None, to=None, session_id=None):
        return newer.analytics(self._t, "delivery", given(from_=from_, to=to, session_id=session_id))

    def conversations(self, from_=None, to=None, session_id=None):
        return newer.analytics(self._t, "conversations", given(from_=from_, to=to, session_id=session_id))
