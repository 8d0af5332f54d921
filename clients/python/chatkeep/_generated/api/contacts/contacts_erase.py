from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.erasure import Erasure
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    phone: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/api/v1/contacts/{phone}".format(
            phone=quote(str(phone), safe=""),
        ),
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Erasure | Problem:
    if response.status_code == 200:
        response_200 = Erasure.from_dict(response.json())

        return response_200

    if response.status_code == 202:
        response_202 = Erasure.from_dict(response.json())

        return response_202

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Erasure | Problem]:
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
) -> Response[Erasure | Problem]:
    """Erase everything the tenant holds about this end user, for good: messages in
    both directions, conversations, the chat session, archived webhook bodies and
    events naming the phone; orders keep amounts and product types but lose the phone;
    statistics do not change. Restores, replays and re-sent old messages do not bring
    it back; messages dated after the erasure are stored as new.

    Args:
        phone (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Erasure | Problem]
    """

    kwargs = _get_kwargs(
        phone=phone,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    phone: str,
    *,
    client: AuthenticatedClient | Client,
) -> Erasure | Problem | None:
    """Erase everything the tenant holds about this end user, for good: messages in
    both directions, conversations, the chat session, archived webhook bodies and
    events naming the phone; orders keep amounts and product types but lose the phone;
    statistics do not change. Restores, replays and re-sent old messages do not bring
    it back; messages dated after the erasure are stored as new.

    Args:
        phone (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Erasure | Problem
    """

    return sync_detailed(
        phone=phone,
        client=client,
    ).parsed


async def asyncio_detailed(
    phone: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[Erasure | Problem]:
    """Erase everything the tenant holds about this end user, for good: messages in
    both directions, conversations, the chat session, archived webhook bodies and
    events naming the phone; orders keep amounts and product types but lose the phone;
    statistics do not change. Restores, replays and re-sent old messages do not bring
    it back; messages dated after the erasure are stored as new.

    Args:
        phone (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Erasure | Problem]
    """

    kwargs = _get_kwargs(
        phone=phone,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    phone: str,
    *,
    client: AuthenticatedClient | Client,
) -> Erasure | Problem | None:
    """Erase everything the tenant holds about this end user, for good: messages in
    both directions, conversations, the chat session, archived webhook bodies and
    events naming the phone; orders keep amounts and product types but lose the phone;
    statistics do not change. Restores, replays and re-sent old messages do not bring
    it back; messages dated after the erasure are stored as new.

    Args:
        phone (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Erasure | Problem
    """

    return (
        await asyncio_detailed(
            phone=phone,
            client=client,
        )
    ).parsed
