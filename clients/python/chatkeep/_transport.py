"""Sending calls: a synchronous and an asynchronous transport with the same surface, so
the resources (chatkeep._resources) are written once. Every error answer becomes a
ProblemError here; lists become iterators over every page."""
from collections.abc import AsyncIterator, Callable, Iterator

import httpx

from ._calls import Call
from ._errors import ProblemError
from ._generated.client import Client
from ._generated.types import Unset

PageCall = Callable[[str | None], Call]


class _Auth:
    def __init__(self, client: Client, api_key: str | None, admin_token: str | None):
        self.client, self.api_key, self.admin_token = client, api_key, admin_token

    def headers(self, call: Call) -> dict:
        secret = self.admin_token if call.admin else self.api_key
        return {"Authorization": f"Bearer {secret}"} if secret else {}


def _checked(response: httpx.Response) -> httpx.Response:
    if response.status_code >= 400:
        raise ProblemError.from_response(response)
    return response


def _next_cursor(page, cursor: str | None, feed: bool) -> str | None:
    """None when the list is done: no next page, a cursor that did not move, or (the event
    `feed`, whose cursor is never null) an empty page."""
    following = page.next_cursor
    if isinstance(following, Unset) or following is None or following == cursor or (feed and not page.items):
        return None
    return following


class SyncTransport(_Auth):
    def run(self, call: Call):
        response = _checked(self.client.get_httpx_client().request(**call.request(self.headers(call))))
        return call.result(self.client, response)

    def pages(self, page_call: PageCall, start: str | None = None, feed: bool = False) -> "Pages":
        return Pages(self, page_call, start, feed)

    def lines(self, call: Call, convert: Callable[[str], list]) -> Iterator:
        """The answer's body line by line (line ends kept) as it streams in, each line
        turned by `convert` into what it holds (none, one or more items)."""
        with self.client.get_httpx_client().stream(**call.request(self.headers(call))) as response:
            if response.status_code >= 400:
                response.read()
                raise ProblemError.from_response(response)
            for line in _split_lines(response.iter_text()):
                yield from convert(line)


class AsyncTransport(_Auth):
    async def run(self, call: Call):
        client = self.client.get_async_httpx_client()
        response = _checked(await client.request(**call.request(self.headers(call))))
        return call.result(self.client, response)

    def pages(self, page_call: PageCall, start: str | None = None, feed: bool = False) -> "AsyncPages":
        return AsyncPages(self, page_call, start, feed)

    async def lines(self, call: Call, convert: Callable[[str], list]) -> AsyncIterator:
        async with self.client.get_async_httpx_client().stream(**call.request(self.headers(call))) as response:
            if response.status_code >= 400:
                await response.aread()
                raise ProblemError.from_response(response)
            pending = ""
            async for chunk in response.aiter_text():
                *complete, pending = (pending + chunk).split("\n")
                for line in complete:
                    for item in convert(line + "\n"):
                        yield item
            for item in convert(pending) if pending else ():
                yield item


def _split_lines(chunks) -> Iterator[str]:
    pending = ""
    for chunk in chunks:
        *complete, pending = (pending + chunk).split("\n")
        for line in complete:
            yield line + "\n"
    if pending:
        yield pending


class Pages:
    """Every item of a list, page after page (each page one request, made as you iterate).
    After the iteration, `next_cursor` is where to resume (the event feed: poll with it)."""

    def __init__(self, transport: SyncTransport, page_call: PageCall, start: str | None, feed: bool):
        self._transport, self._page_call, self.next_cursor, self._feed = transport, page_call, start, feed

    def __iter__(self):
        cursor = self.next_cursor
        while True:
            page = self._transport.run(self._page_call(cursor))
            yield from page.items
            if isinstance(page.next_cursor, str):
                self.next_cursor = page.next_cursor
            cursor = _next_cursor(page, cursor, self._feed)
            if cursor is None:
                return

    def first_page(self):
        """Only the first page (items, next_cursor, total with include_total)."""
        return self._transport.run(self._page_call(self.next_cursor))


class AsyncPages:
    """`async for` over every item of a list; see Pages."""

    def __init__(self, transport: AsyncTransport, page_call: PageCall, start: str | None, feed: bool):
        self._transport, self._page_call, self.next_cursor, self._feed = transport, page_call, start, feed

    async def __aiter__(self):
        cursor = self.next_cursor
        while True:
            page = await self._transport.run(self._page_call(cursor))
            for item in page.items:
                yield item
            if isinstance(page.next_cursor, str):
                self.next_cursor = page.next_cursor
            cursor = _next_cursor(page, cursor, self._feed)
            if cursor is None:
                return

    async def first_page(self):
        return await self._transport.run(self._page_call(self.next_cursor))
