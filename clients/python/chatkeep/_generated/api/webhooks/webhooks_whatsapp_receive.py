from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.webhook_result import WebhookResult
from ...models.webhooks_whatsapp_receive_body import WebhooksWhatsappReceiveBody
from ...types import Response


def _get_kwargs(
    slug: str,
    *,
    body: WebhooksWhatsappReceiveBody,
    x_hub_signature_256: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["X-Hub-Signature-256"] = x_hub_signature_256

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/webhooks/whatsapp/{slug}".format(
            slug=quote(str(slug), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | WebhookResult:
    if response.status_code == 200:
        response_200 = WebhookResult.from_dict(response.json())

        return response_200

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
) -> Response[Problem | WebhookResult]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    slug: str,
    *,
    client: AuthenticatedClient | Client,
    body: WebhooksWhatsappReceiveBody,
    x_hub_signature_256: str,
) -> Response[Problem | WebhookResult]:
    """Cloud API messages and statuses; a bad item of a batch is reported, the rest kept.

    Args:
        slug (str):
        x_hub_signature_256 (str):
        body (WebhooksWhatsappReceiveBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WebhookResult]
    """

    kwargs = _get_kwargs(
        slug=slug,
        body=body,
        x_hub_signature_256=x_hub_signature_256,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    slug: str,
    *,
    client: AuthenticatedClient | Client,
    body: WebhooksWhatsappReceiveBody,
    x_hub_signature_256: str,
) -> Problem | WebhookResult | None:
    """Cloud API messages and statuses; a bad item of a batch is reported, the rest kept.

    Args:
        slug (str):
        x_hub_signature_256 (str):
        body (WebhooksWhatsappReceiveBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WebhookResult
    """

    return sync_detailed(
        slug=slug,
        client=client,
        body=body,
        x_hub_signature_256=x_hub_signature_256,
    ).parsed


async def asyncio_detailed(
    slug: str,
    *,
    client: AuthenticatedClient | Client,
    body: WebhooksWhatsappReceiveBody,
    x_hub_signature_256: str,
) -> Response[Problem | WebhookResult]:
    """Cloud API messages and statuses; a bad item of a batch is reported, the rest kept.

    Args:
        slug (str):
        x_hub_signature_256 (str):
        body (WebhooksWhatsappReceiveBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WebhookResult]
    """

    kwargs = _get_kwargs(
        slug=slug,
        body=body,
        x_hub_signature_256=x_hub_signature_256,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    slug: str,
    *,
    client: AuthenticatedClient | Client,
    body: WebhooksWhatsappReceiveBody,
    x_hub_signature_256: str,
) -> Problem | WebhookResult | None:
    """Cloud API messages and statuses; a bad item of a batch is reported, the rest kept.

    Args:
        slug (str):
        x_hub_signature_256 (str):
        body (WebhooksWhatsappReceiveBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WebhookResult
    """

    return (
        await asyncio_detailed(
            slug=slug,
            client=client,
            body=body,
            x_hub_signature_256=x_hub_signature_256,
        )
    ).parsed
