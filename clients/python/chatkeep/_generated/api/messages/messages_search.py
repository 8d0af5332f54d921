import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.direction import Direction
from ...models.message_page import MessagePage
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
    session_id: str | Unset = UNSET,
    q: str,
    direction: Direction | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_since: str | Unset = UNSET
    if not isinstance(since, Unset):
        json_since = since.isoformat()
    params["since"] = json_since

    json_until: str | Unset = UNSET
    if not isinstance(until, Unset):
        json_until = until.isoformat()
    params["until"] = json_until

    params["session_id"] = session_id

    params["q"] = q

    json_direction: str | Unset = UNSET
    if not isinstance(direction, Unset):
        json_direction = direction.value

    params["direction"] = json_direction

    params["limit"] = limit

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/messages/search",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> MessagePage | Problem:
    if response.status_code == 200:
        response_200 = MessagePage.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    response_default = Problem.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[MessagePage | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
    session_id: str | Unset = UNSET,
    q: str,
    direction: Direction | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> Response[MessagePage | Problem]:
    """Search messages by the words of their text and media caption, newest first.

     Every word of `q` must be in the message (`pedido entreg*`: *pedido* and a word
    starting with *entreg*), whatever the case and accents. Served from an index of
    each message's words: a page costs about the same however many other messages the
    tenant has; its cost grows with the messages holding the query's rarest word. A
    page may hold fewer than `limit` items (even none) while `next_cursor` is set
    (it read its share of the index; follow the cursor to go on); `next_cursor` is
    null at the end. Erased contacts' messages are never found.

    Args:
        since (datetime.datetime | Unset):  Example: 2026-11-22T10:15:30.123Z.
        until (datetime.datetime | Unset):  Example: 2026-11-22T10:15:30.123Z.
        session_id (str | Unset):
        q (str):  Example: pedido entreg*.
        direction (Direction | Unset):
        limit (int | Unset):  Default: 50.
        cursor (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MessagePage | Problem]
    """

    kwargs = _get_kwargs(
        since=since,
        until=until,
        session_id=session_id,
        q=q,
        direction=direction,
        limit=limit,
        cursor=cursor,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
    session_id: str | Unset = UNSET,
    q: str,
    direction: Direction | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> MessagePage | Problem | None:
    """Search messages by the words of their text and media caption, newest first.

     Every word of `q` must be in the message (`pedido entreg*`: *pedido* and a word
    starting with *entreg*), whatever the case and accents. Served from an index of
    each message's words: a page costs about the same however many other messages the
    tenant has; its cost grows with the messages holding the query's rarest word. A
    page may hold fewer than `limit` items (even none) while `next_cursor` is set
    (it read its share of the index; follow the cursor to go on); `next_cursor` is
    null at the end. Erased contacts' messages are never found.

    Args:
        since (datetime.datetime | Unset):  Example: 2026-11-22T10:15:30.123Z.
        until (datetime.datetime | Unset):  Example: 2026-11-22T10:15:30.123Z.
        session_id (str | Unset):
        q (str):  Example: pedido entreg*.
        direction (Direction | Unset):
        limit (int | Unset):  Default: 50.
        cursor (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MessagePage | Problem
    """

    return sync_detailed(
        client=client,
        since=since,
        until=until,
        session_id=session_id,
        q=q,
        direction=direction,
        limit=limit,
        cursor=cursor,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
    session_id: str | Unset = UNSET,
    q: str,
    direction: Direction | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> Response[MessagePage | Problem]:
    """Search messages by the words of their text and media caption, newest first.

     Every word of `q` must be in the message (`pedido entreg*`: *pedido* and a word
    starting with *entreg*), whatever the case and accents. Served from an index of
    each message's words: a page costs about the same however many other messages the
    tenant has; its cost grows with the messages holding the query's rarest word. A
    page may hold fewer than `limit` items (even none) while `next_cursor` is set
    (it read its share of the index; follow the cursor to go on); `next_cursor` is
    null at the end. Erased contacts' messages are never found.

    Args:
        since (datetime.datetime | Unset):  Example: 2026-11-22T10:15:30.123Z.
        until (datetime.datetime | Unset):  Example: 2026-11-22T10:15:30.123Z.
        session_id (str | Unset):
        q (str):  Example: pedido entreg*.
        direction (Direction | Unset):
        limit (int | Unset):  Default: 50.
        cursor (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MessagePage | Problem]
    """

    kwargs = _get_kwargs(
        since=since,
        until=until,
        session_id=session_id,
        q=q,
        direction=direction,
        limit=limit,
        cursor=cursor,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
    session_id: str | Unset = UNSET,
    q: str,
    direction: Direction | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> MessagePage | Problem | None:
    """Search messages by the words of their text and media caption, newest first.

     Every word of `q` must be in the message (`pedido entreg*`: *pedido* and a word
    starting with *entreg*), whatever the case and accents. Served from an index of
    each message's words: a page costs about the same however many other messages the
    tenant has; its cost grows with the messages holding the query's rarest word. A
    page may hold fewer than `limit` items (even none) while `next_cursor` is set
    (it read its share of the index; follow the cursor to go on); `next_cursor` is
    null at the end. Erased contacts' messages are never found.

    Args:
        since (datetime.datetime | Unset):  Example: 2026-11-22T10:15:30.123Z.
        until (datetime.datetime | Unset):  Example: 2026-11-22T10:15:30.123Z.
        session_id (str | Unset):
        q (str):  Example: pedido entreg*.
        direction (Direction | Unset):
        limit (int | Unset):  Default: 50.
        cursor (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MessagePage | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            since=since,
            until=until,
            session_id=session_id,
            q=q,
            direction=direction,
            limit=limit,
            cursor=cursor,
        )
    ).parsed
