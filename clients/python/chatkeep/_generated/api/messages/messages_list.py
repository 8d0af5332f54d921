import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.direction import Direction
from ...models.message_page import MessagePage
from ...models.message_status import MessageStatus
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    include_total: bool | Unset = False,
    direction: Direction | Unset = UNSET,
    status: MessageStatus | Unset = UNSET,
    session_id: str | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    params["include_total"] = include_total

    json_direction: str | Unset = UNSET
    if not isinstance(direction, Unset):
        json_direction = direction.value

    params["direction"] = json_direction

    json_status: str | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = status.value

    params["status"] = json_status

    params["session_id"] = session_id

    json_since: str | Unset = UNSET
    if not isinstance(since, Unset):
        json_since = since.isoformat()
    params["since"] = json_since

    json_until: str | Unset = UNSET
    if not isinstance(until, Unset):
        json_until = until.isoformat()
    params["until"] = json_until

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/messages",
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
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    include_total: bool | Unset = False,
    direction: Direction | Unset = UNSET,
    status: MessageStatus | Unset = UNSET,
    session_id: str | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
) -> Response[MessagePage | Problem]:
    """List messages, newest first.

     Each filter has an index of its own, led by the tenant and ordered by time:
    `session_id`, `status` and `direction` (and `since`/`until` bound any of them), so a
    page of one filter reads about one page of index entries. Filters combined are
    served by one of those indexes, the others checked on its entries: a rare
    combination over a long history (`status=failed&direction=out&session_id=...`)
    may read many entries per page; add `since`/`until` to narrow it.
    `include_total` counts up to 10,000 (see `total_capped`).

    Args:
        limit (int | Unset):  Default: 50.
        cursor (None | str | Unset):
        include_total (bool | Unset):  Default: False.
        direction (Direction | Unset):
        status (MessageStatus | Unset):
        session_id (str | Unset):
        since (datetime.datetime | Unset):  Example: 2026-11-22T10:15:30.123Z.
        until (datetime.datetime | Unset):  Example: 2026-11-22T10:15:30.123Z.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MessagePage | Problem]
    """

    kwargs = _get_kwargs(
        limit=limit,
        cursor=cursor,
        include_total=include_total,
        direction=direction,
        status=status,
        session_id=session_id,
        since=since,
        until=until,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    include_total: bool | Unset = False,
    direction: Direction | Unset = UNSET,
    status: MessageStatus | Unset = UNSET,
    session_id: str | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
) -> MessagePage | Problem | None:
    """List messages, newest first.

     Each filter has an index of its own, led by the tenant and ordered by time:
    `session_id`, `status` and `direction` (and `since`/`until` bound any of them), so a
    page of one filter reads about one page of index entries. Filters combined are
    served by one of those indexes, the others checked on its entries: a rare
    combination over a long history (`status=failed&direction=out&session_id=...`)
    may read many entries per page; add `since`/`until` to narrow it.
    `include_total` counts up to 10,000 (see `total_capped`).

    Args:
        limit (int | Unset):  Default: 50.
        cursor (None | str | Unset):
        include_total (bool | Unset):  Default: False.
        direction (Direction | Unset):
        status (MessageStatus | Unset):
        session_id (str | Unset):
        since (datetime.datetime | Unset):  Example: 2026-11-22T10:15:30.123Z.
        until (datetime.datetime | Unset):  Example: 2026-11-22T10:15:30.123Z.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MessagePage | Problem
    """

    return sync_detailed(
        client=client,
        limit=limit,
        cursor=cursor,
        include_total=include_total,
        direction=direction,
        status=status,
        session_id=session_id,
        since=since,
        until=until,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    include_total: bool | Unset = False,
    direction: Direction | Unset = UNSET,
    status: MessageStatus | Unset = UNSET,
    session_id: str | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
) -> Response[MessagePage | Problem]:
    """List messages, newest first.

     Each filter has an index of its own, led by the tenant and ordered by time:
    `session_id`, `status` and `direction` (and `since`/`until` bound any of them), so a
    page of one filter reads about one page of index entries. Filters combined are
    served by one of those indexes, the others checked on its entries: a rare
    combination over a long history (`status=failed&direction=out&session_id=...`)
    may read many entries per page; add `since`/`until` to narrow it.
    `include_total` counts up to 10,000 (see `total_capped`).

    Args:
        limit (int | Unset):  Default: 50.
        cursor (None | str | Unset):
        include_total (bool | Unset):  Default: False.
        direction (Direction | Unset):
        status (MessageStatus | Unset):
        session_id (str | Unset):
        since (datetime.datetime | Unset):  Example: 2026-11-22T10:15:30.123Z.
        until (datetime.datetime | Unset):  Example: 2026-11-22T10:15:30.123Z.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MessagePage | Problem]
    """

    kwargs = _get_kwargs(
        limit=limit,
        cursor=cursor,
        include_total=include_total,
        direction=direction,
        status=status,
        session_id=session_id,
        since=since,
        until=until,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    include_total: bool | Unset = False,
    direction: Direction | Unset = UNSET,
    status: MessageStatus | Unset = UNSET,
    session_id: str | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
) -> MessagePage | Problem | None:
    """List messages, newest first.

     Each filter has an index of its own, led by the tenant and ordered by time:
    `session_id`, `status` and `direction` (and `since`/`until` bound any of them), so a
    page of one filter reads about one page of index entries. Filters combined are
    served by one of those indexes, the others checked on its entries: a rare
    combination over a long history (`status=failed&direction=out&session_id=...`)
    may read many entries per page; add `since`/`until` to narrow it.
    `include_total` counts up to 10,000 (see `total_capped`).

    Args:
        limit (int | Unset):  Default: 50.
        cursor (None | str | Unset):
        include_total (bool | Unset):  Default: False.
        direction (Direction | Unset):
        status (MessageStatus | Unset):
        session_id (str | Unset):
        since (datetime.datetime | Unset):  Example: 2026-11-22T10:15:30.123Z.
        until (datetime.datetime | Unset):  Example: 2026-11-22T10:15:30.123Z.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MessagePage | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            cursor=cursor,
            include_total=include_total,
            direction=direction,
            status=status,
            session_id=session_id,
            since=since,
            until=until,
        )
    ).parsed
