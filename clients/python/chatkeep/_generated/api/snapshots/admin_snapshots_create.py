from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.manifest import Manifest
from ...models.problem import Problem
from ...models.snapshot_running import SnapshotRunning
from ...types import Response


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/admin/snapshots",
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Manifest | Problem | SnapshotRunning:
    if response.status_code == 201:
        response_201 = Manifest.from_dict(response.json())

        return response_201

    if response.status_code == 202:
        response_202 = SnapshotRunning.from_dict(response.json())

        return response_202

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

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
) -> Response[Manifest | Problem | SnapshotRunning]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[Manifest | Problem | SnapshotRunning]:
    """Take a snapshot now; returns its manifest.

     The snapshot runs in a child process at idle CPU priority. The request waits
    for it at most SNAPSHOT_REQUEST_WAIT_S (under gunicorn's 30 s worker timeout);
    a larger store answers 202 and the snapshot finishes on its own.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Manifest | Problem | SnapshotRunning]
    """

    kwargs = _get_kwargs()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
) -> Manifest | Problem | SnapshotRunning | None:
    """Take a snapshot now; returns its manifest.

     The snapshot runs in a child process at idle CPU priority. The request waits
    for it at most SNAPSHOT_REQUEST_WAIT_S (under gunicorn's 30 s worker timeout);
    a larger store answers 202 and the snapshot finishes on its own.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Manifest | Problem | SnapshotRunning
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[Manifest | Problem | SnapshotRunning]:
    """Take a snapshot now; returns its manifest.

     The snapshot runs in a child process at idle CPU priority. The request waits
    for it at most SNAPSHOT_REQUEST_WAIT_S (under gunicorn's 30 s worker timeout);
    a larger store answers 202 and the snapshot finishes on its own.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Manifest | Problem | SnapshotRunning]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
) -> Manifest | Problem | SnapshotRunning | None:
    """Take a snapshot now; returns its manifest.

     The snapshot runs in a child process at idle CPU priority. The request waits
    for it at most SNAPSHOT_REQUEST_WAIT_S (under gunicorn's 30 s worker timeout);
    a larger store answers 202 and the snapshot finishes on its own.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Manifest | Problem | SnapshotRunning
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
