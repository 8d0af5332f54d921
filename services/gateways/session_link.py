"""A session's link to its gateway, and syncing the session with what the gateway says.

`sync` asks the gateway (services.gateways.gateway_clients) and records the answer: a
known word moves the session's status (and `status_changed_at`, only on a real change,
through gateway_sessions.upsert_session); a number the gateway tells releases the
messages held for the lack of it. A failed sync keeps the status and records
`last_sync_error`. `sync_every_linked` is the scheduler's round: every linked session of
every tenant, at most SYNC_CONCURRENCY at a time, so a dead gateway costs its own
sessions one timeout, never the round or other tenants.
"""
import logging
from concurrent.futures import ThreadPoolExecutor

from models.collections import GlobalCollection, scoped
from models.gateway_session import GatewaySession
from models.tenancy import tenant_scope
from models.tenant import Tenant
from services import clock, secret_box
from services.errors import NotFound, found
from services.gateways import gateway_clients
from services.messaging import gateway_sessions
from services.operations.metrics import GATEWAY_SYNCS

log = logging.getLogger(__name__)
SYNC_CONCURRENCY = 8
LINK_FIELDS = ("link_kind", "link_base_url", "link_instance", "link_api_key", "last_sync_at", "last_sync_error")


def _sessions():
    return scoped(GatewaySession)


def set_link(session_id: str, kind: str, base_url: str | None, api_key: str, instance: str | None) -> dict:
    """Link an existing session to its gateway (a new link clears the last sync's error)."""
    base_url = (base_url or gateway_clients.GRAPH_API).rstrip("/")
    fields = {"linked": True, "link_kind": kind, "link_base_url": base_url,
              "link_instance": instance or session_id, "link_api_key": secret_box.encrypt(api_key),
              "last_sync_error": None, "updated_at": clock.now_ms()}
    if not _sessions().update_one({"session_id": session_id}, {"$set": fields}).matched_count:
        raise NotFound(f"no session '{session_id}'")
    return get_link(session_id)


def get_link(session_id: str) -> dict:
    session = found(_sessions().find_one({"session_id": session_id}), f"no session '{session_id}'")
    if not session.get("linked"):
        raise NotFound(f"session '{session_id}' is not linked to a gateway")
    return public_link(session)


def public_link(session: dict) -> dict:
    """The link as the API shows it: never the key, only whether one is set."""
    return {"kind": session["link_kind"], "base_url": session["link_base_url"],
            "instance": session["link_instance"], "api_key_set": bool(session.get("link_api_key")),
            "last_sync_at": session.get("last_sync_at"), "last_sync_error": session.get("last_sync_error")}


def remove_link(session_id: str) -> None:
    get_link(session_id)
    _sessions().update_one({"session_id": session_id},
                           {"$set": {"linked": False, **{name: None for name in LINK_FIELDS}}})


def sync(session_id: str, timeout_s: float, allow_private: bool) -> dict:
    """Ask the gateway and record its answer; the session after it. GatewayFailed (502)
    after recording `last_sync_error` when the gateway cannot be asked."""
    session = found(_sessions().find_one({"session_id": session_id}), f"no session '{session_id}'")
    if not session.get("linked"):
        raise NotFound(f"session '{session_id}' is not linked to a gateway")
    kind, now = session["link_kind"], clock.now_ms()
    try:
        api_key = secret_box.decrypt(session["link_api_key"])
        report = gateway_clients.ask(kind, session["link_base_url"], session["link_instance"], api_key,
                                     timeout_s, allow_private)
        now = clock.now_ms()  # when it answered: the event must not land behind the feed's horizon
    except (gateway_clients.GatewayFailed, secret_box.SecretKeyError) as exc:
        detail = exc.detail if isinstance(exc, gateway_clients.GatewayFailed) else (
            "the gateway API key cannot be decrypted with this SECRET_KEY; set the link again")
        _sessions().update_one({"session_id": session_id}, {"$set": {"last_sync_at": now, "last_sync_error": detail}})
        GATEWAY_SYNCS.labels(kind, "failed").inc()
        raise gateway_clients.GatewayFailed(detail) from None
    _sessions().update_one({"session_id": session_id},
                           {"$set": {"last_sync_at": now, "last_sync_error": None, "synced_at": now,
                                     "gateway_state": report.gateway_state}})
    GATEWAY_SYNCS.labels(kind, "ok").inc()
    status = report.status or session["status"]  # a word ChatKeep does not know keeps the status
    synced, _created = gateway_sessions.upsert_session(session_id, status, report.phone_number, at=now)
    return synced

def sync_every_linked(timeout_s: float, allow_private: bool) -> dict:
    """One round over every tenant's linked sessions; counts by outcome."""
    # Two reads in all, not one per tenant every minute (1,000 tenants: 1,000 reads of a
    # nearly always empty answer); sessions of a tenant no longer there are left out.
    live = {tenant["_id"] for tenant in GlobalCollection(Tenant).find({}, projection={"_id": 1})}
    linked = sorted((s["tenant_id"], s["session_id"]) for s in GlobalCollection(GatewaySession).find(
        {"linked": True}, projection={"tenant_id": 1, "session_id": 1}) if s["tenant_id"] in live)
    counts = {"ok": 0, "failed": 0}

    def one(pair) -> str:
        tenant_id, session_id = pair
        with tenant_scope(tenant_id):
            try:
                sync(session_id, timeout_s, allow_private)
                return "ok"
            except gateway_clients.GatewayFailed as exc:
                log.warning("gateway sync of session %s failed: %s", session_id, exc.detail)
            except NotFound:  # unlinked or deleted meanwhile
                return "ok"
            except Exception:  # one session's surprise never ends the round for the others
                log.exception("gateway sync of session %s failed", session_id)
            return "failed"

    if linked:
        with ThreadPoolExecutor(max_workers=SYNC_CONCURRENCY, thread_name_prefix="gateway-sync") as pool:
            for outcome in pool.map(one, linked):
                counts[outcome] += 1
    if counts["failed"] or counts["ok"]:
        log.info("gateway sync: %s sessions synced, %s failed", counts["ok"], counts["failed"])
    return counts
