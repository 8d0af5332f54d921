"""ChatKeep and AsyncChatKeep: the same resources over a sync or an async transport."""
import httpx

from ._admin import Admin
from ._generated.client import Client
from ._resources import (Analytics, ChatSessions, Contacts, Conversations, Events, Messages, Orders, Sessions, Stats,
                         WebhookEndpoints)
from ._transport import AsyncTransport, SyncTransport

DEFAULT_TIMEOUT_S = 30.0


class _Base:
    def __init__(self, transport_class, base_url: str, api_key: str | None = None, admin_token: str | None = None,
                 *, timeout: float = DEFAULT_TIMEOUT_S, httpx_args: dict | None = None):
        """`api_key` for the tenant's endpoints, `admin_token` for `admin` (either or both).
        `httpx_args` go to the httpx client (transport, proxies, verify, ...)."""
        self._client = Client(base_url=base_url.rstrip("/"), timeout=httpx.Timeout(timeout),
                              httpx_args=httpx_args or {})
        transport = transport_class(self._client, api_key, admin_token)
        self.sessions = Sessions(transport)
        self.messages = Messages(transport)
        self.conversations = Conversations(transport)
        self.chat_sessions = ChatSessions(transport)
        self.orders = Orders(transport)
        self.stats = Stats(transport)
        self.events = Events(transport)
        self.webhook_endpoints = WebhookEndpoints(transport)
        self.contacts = Contacts(transport)
        self.analytics = Analytics(transport)
        self.admin = Admin(transport)


class ChatKeep(_Base):
    """ChatKeep("http://127.0.0.1:8000", api_key="ck_live_...") (or admin_token=...)."""

    def __init__(self, base_url: str, api_key: str | None = None, admin_token: str | None = None, **options):
        super().__init__(SyncTransport, base_url, api_key, admin_token, **options)

    def close(self) -> None:
        self._client.get_httpx_client().close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class AsyncChatKeep(_Base):
    """The same names as ChatKeep; calls are awaited, lists iterated with `async for`."""

    def __init__(self, base_url: str, api_key: str | None = None, admin_token: str | None = None, **options):
        super().__init__(AsyncTransport, base_url, api_key, admin_token, **options)

    async def aclose(self) -> None:
        await self._client.get_async_httpx_client().aclose()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.aclose()
