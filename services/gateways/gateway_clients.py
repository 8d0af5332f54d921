"""Asking a gateway how a session is: Evolution API v2, WAHA and the WhatsApp Cloud API.

Each gateway answers in its own words. A GatewayReport carries the session status of
the contract that word maps to (None for a word ChatKeep does not know: the status is
then left as it is), the word itself (`gateway_state`), and the session's own number
where the gateway tells it. The mapping is in the README ("Gateway link").
Calls go through services.outbound (the address checked at every call is the one
connected to, no proxy, no redirect); GATEWAY_TIMEOUT_S bounds a sync's calls together,
and at most MAX_ANSWER_BYTES of an answer is read.
"""
import json
import time
from dataclasses import dataclass
from urllib.parse import quote

from services import outbound
from services.errors import ServiceError
from services.phones import InvalidPhone, normalize_phone

GRAPH_API = "https://graph.facebook.com/v21.0"
MAX_ANSWER_BYTES = 65536

EVOLUTION_STATES = {"open": "open", "connecting": "connecting", "close": "close"}
WAHA_STATES = {"WORKING": "open", "STARTING": "connecting", "SCAN_QR_CODE": "connecting",
               "STOPPED": "close", "FAILED": "close"}
# Meta's phone number `status`; a number that still sends while flagged or rate limited is open.
CLOUD_STATES = {"CONNECTED": "open", "FLAGGED": "open", "RATE_LIMITED": "open", "PENDING": "connecting",
                "OFFLINE": "close", "DISCONNECTED": "close", "RESTRICTED": "close", "BANNED": "close",
                "DELETED": "close"}


class GatewayFailed(ServiceError):
    """The gateway could not be asked: unreachable, too slow, refusing, or answering nonsense."""
    status, title, slug = 502, "Bad Gateway", "gateway-unavailable"


@dataclass(frozen=True)
class GatewayReport:
    status: str | None
    gateway_state: str
    phone_number: str | None = None


def ask(kind: str, base_url: str, instance: str, api_key: str, timeout_s: float,
        allow_private: bool) -> GatewayReport:
    """What the gateway says of `instance` now, all calls within `timeout_s`; GatewayFailed
    if it cannot be told."""
    until = time.monotonic() + timeout_s

    def fetch(url: str, headers: dict) -> dict:
        return _get(url, headers, until, timeout_s, allow_private)

    return {"evolution": _evolution, "waha": _waha, "cloud": _cloud}[kind](base_url.rstrip("/"), instance, api_key,
                                                                           fetch)


def _evolution(base_url, instance, api_key, fetch) -> GatewayReport:
    body = fetch(f"{base_url}/instance/connectionState/{quote(instance, safe='')}", {"apikey": api_key})
    state = _text((body.get("instance") or {}).get("state") if isinstance(body.get("instance"), dict) else None,
                  "instance.state")
    return GatewayReport(EVOLUTION_STATES.get(state), state)


def _waha(base_url, instance, api_key, fetch) -> GatewayReport:
    body = fetch(f"{base_url}/api/sessions/{quote(instance, safe='')}", {"X-Api-Key": api_key})
    state = _text(body.get("status"), "status")
    me = body.get("me") if isinstance(body.get("me"), dict) else {}
    return GatewayReport(WAHA_STATES.get(state), state, _phone(me.get("id")))


def _cloud(base_url, instance, api_key, fetch) -> GatewayReport:
    url = f"{base_url}/{quote(instance, safe='')}?fields=display_phone_number,status,quality_rating"
    headers = {"Authorization": f"Bearer {api_key}"}
    try:
        body = fetch(url + ",health_status", headers)
    except GatewayFailed as failed:
        if "answered 400" not in failed.detail:  # health_status is not granted to every token
            raise
        body = fetch(url, headers)
    state = _text(body.get("status"), "status")
    status = CLOUD_STATES.get(state)
    health = body.get("health_status") if isinstance(body.get("health_status"), dict) else {}
    if health.get("can_send_message") == "BLOCKED":
        status = "close"
    return GatewayReport(status, state, _phone(body.get("display_phone_number")))


def _get(url: str, headers: dict, until: float, timeout_s: float, allow_private: bool) -> dict:
    try:
        answer = outbound.get(url, headers, max(0.0, until - time.monotonic()), allow_private, MAX_ANSWER_BYTES)
    except outbound.OutboundRefused as exc:
        raise GatewayFailed(f"the gateway URL {exc}") from None
    except outbound.OutboundTimeout:
        raise GatewayFailed(f"the gateway did not answer within {timeout_s:g} s") from None
    except outbound.OutboundFailed as exc:
        raise GatewayFailed(f"the gateway could not be reached ({exc})") from None
    code, raw = answer.status, answer.body
    if code in (401, 403):
        raise GatewayFailed(f"the gateway answered {code}: it refused the API key")
    if code != 200:
        raise GatewayFailed(f"the gateway answered {code}")
    if len(raw) > MAX_ANSWER_BYTES:
        raise GatewayFailed("the gateway's answer is larger than expected")
    try:
        body = json.loads(raw)
    except ValueError:
        raise GatewayFailed("the gateway's answer is not JSON") from None
    if not isinstance(body, dict):
        raise GatewayFailed("the gateway's answer is not a JSON object")
    return body


def _text(value, name: str) -> str:
    if not isinstance(value, str) or not value or len(value) > 64:
        raise GatewayFailed(f"the gateway's answer has no {name}")
    return value


def _phone(value) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        number = normalize_phone(value)
    except InvalidPhone:
        return None
    return number if number.isascii() and number.isdigit() else None  # a LID is no phone number
