import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.messages_export_format import MessagesExportFormat
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
    session_id: str | Unset = UNSET,
    format_: MessagesExportFormat,
    conversation: str | Unset = UNSET,
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

    json_format_ = format_.value
    params["format"] = json_format_

    params["conversation"] = conversation

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/messages/export",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | str:
    if response.status_code == 200:
        response_200 = response.text
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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | str]:
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
    format_: MessagesExportFormat,
    conversation: str | Unset = UNSET,
) -> Response[Problem | str]:
    """Export messages as JSONL or CSV, oldest first, streamed.

     JSONL: one message per line in the API's message shape. CSV: a header row, then
    `id, created_at, session_id, direction, from, to, status, text, media_url,
    external_id`; a cell that would start a spreadsheet formula (`=`, `+`, `-`, `@`, tab,
    CR) gets a leading `'` (JSONL keeps every value exact). Memory stays flat whatever
    the size; one export holds one worker while it streams.

    Args:
        since (datetime.datetime | Unset):  Example: 2026-11-22T10:15:30.123Z.
        until (datetime.datetime | Unset):  Example: 2026-11-22T10:15:30.123Z.
        session_id (str | Unset):
        format_ (MessagesExportFormat):
        conversation (str | Unset):  Example: 5511912345678:5511987654321.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | str]
    """

    kwargs = _get_kwargs(
        since=since,
        until=until,
        session_id=session_id,
        format_=format_,
        conversation=conversation,
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
    format_: MessagesExportFormat,
    conversation: str | Unset = UNSET,
) -> Problem | str | None:
    """Export messages as JSONL or CSV, oldest first, streamed.

     JSONL: one message per line in the API's message shape. CSV: a header row, then
    `id, created_at, session_id, direction, from, to, status, text, media_url,
    external_id`; a cell that would start a spreadsheet formula (`=`, `+`, `-`, `@`, tab,
    CR) gets a leading `'` (JSONL keeps every value exact). Memory stays flat whatever
    the size; one export holds one worker while it streams.

    Args:
        since (datetime.datetime | Unset):  Example: 2026-11-22T10:15:30.123Z.
        until (datetime.datetime | Unset):  Example: 2026-11-22T10:15:30.123Z.
        session_id (str | Unset):
        format_ (MessagesExportFormat):
        conversation (str | Unset):  Example: 5511912345678:5511987654321.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | str
    """

    return sync_detailed(
        client=client,
        since=since,
        until=until,
        session_id=session_id,
        format_=format_,
        conversation=conversation,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
    session_id: str | Unset = UNSET,
    format_: MessagesExportFormat,
    conversation: str | Unset = UNSET,
) -> Response[Problem | str]:
    """Export messages as JSONL or CSV, oldest first, streamed.

     JSONL: one message per line in the API's message shape. CSV: a header row, then
    `id, created_at, session_id, direction, from, to, status, text, media_url,
    external_id`; a cell that would start a spreadsheet formula (`=`, `+`, `-`, `@`, tab,
    CR) gets a leading `'` (JSONL keeps every value exact). Memory stays flat whatever
    the size; one export holds one worker while it streams.

    Args:
        since (datetime.datetime | Unset):  Example: 2026-11-22T10:15:30.123Z.
        until (datetime.datetime | Unset):  Example: 2026-11-22T10:15:30.123Z.
        session_id (str | Unset):
        format_ (MessagesExportFormat):
        conversation (str | Unset):  Example: 5511912345678:5511987654321.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | str]
    """

    kwargs = _get_kwargs(
        since=since,
        until=until,
        session_id=session_id,
        format_=format_,
        conversation=conversation,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
    session_id: str | Unset = UNSET,
    format_: MessagesExportFormat,
    conversation: str | Unset = UNSET,
) -> Problem | str | None:
    """Export messages as JSONL or CSV, oldest first, streamed.

     JSONL: one message per line in the API's message shape. CSV: a header row, then
    `id, created_at, session_id, direction, from, to, status, text, media_url,
    external_id`; a cell that would start a spreadsheet formula (`=`, `+`, `-`, `@`, tab,
    CR) gets a leading `'` (JSONL keeps every value exact). Memory stays flat whatever
    the size; one export holds one worker while it streams.

    Args:
        since (datetime.datetime | Unset):  Example: 2026-11-22T10:15:30.123Z.
        until (datetime.datetime | Unset):  Example: 2026-11-22T10:15:30.123Z.
        session_id (str | Unset):
        format_ (MessagesExportFormat):
        conversation (str | Unset):  Example: 5511912345678:5511987654321.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | str
    """

    return (
        await asyncio_detailed(
            client=client,
            since=since,
            until=until,
            session_id=session_id,
            format_=format_,
            conversation=conversation,
        )
    ).parsed
