from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.chat_session import ChatSession
from ...models.chat_session_put import ChatSessionPut
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    phone: str,
    *,
    body: ChatSessionPut,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/api/v1/chat-sessions/{phone}".format(
            phone=quote(str(phone), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ChatSession | Problem:
    if response.status_code == 200:
        response_200 = ChatSession.from_dict(response.json())

        return response_200

    if response.status_code == 201:
        response_201 = ChatSession.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

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
) -> Response[ChatSession | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    phone: str,
    *,
    client: AuthenticatedClient | Client,
    body: ChatSessionPut,
) -> Response[ChatSession | Problem]:
    """Save the state; it replaces the previous one.

    Args:
        phone (str):
        body (ChatSessionPut):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ChatSession | Problem]
    """

    kwargs = _get_kwargs(
        phone=phone,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    phone: str,
    *,
    client: AuthenticatedClient | Client,
    body: ChatSessionPut,
) -> ChatSession | Problem | None:
    """Save the state; it replaces the previous one.

    Args:
        phone (str):
        body (ChatSessionPut):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ChatSession | Problem
    """

    return sync_detailed(
        phone=phone,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    phone: str,
    *,
    client: AuthenticatedClient | Client,
    body: ChatSessionPut,
) -> Response[ChatSession | Problem]:
    """Save the state; it replaces the previous one.

    Args:
        phone (str):
        body (ChatSessionPut):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ChatSession | Problem]
    """

    kwargs = _get_kwargs(
        phone=phone,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    phone: str,
    *,
    client: AuthenticatedClient | Client,
    body: ChatSessionPut,
) -> ChatSession | Problem | None:
    """Save the state; it replaces the previous one.

    Args:
        phone (str):
        body (ChatSessionPut):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ChatSession | Problem
    """

    return (
        await asyncio_detailed(
            phone=phone,
            client=client,
            body=body,
        )
    ).parsed
