"""Every stored secret under SECRET_KEY's first key: at start-up (before workers fork)
and after a restore. So a rotation (`SECRET_KEY=new,old`, one start) re-encrypts them
all, and the old key can then be dropped: tenants' secrets, the erasure ledger's keys,
webhook endpoints' signing secrets and gateway links' API keys (the key check record
settles itself, services.key_check)."""
import logging

from models.collections import GlobalCollection
from models.gateway_session import GatewaySession
from models.webhook_endpoint import WebhookEndpoint
from services import secret_box
from services.privacy import ledger_keys
from services.tenancy import tenant_secrets

log = logging.getLogger(__name__)
# Secrets that are only ever used, never shown again: one no key opens is reported when
# used ("rotate it", "set the link again"), so it is left as it is here.
USED_SECRETS = ((WebhookEndpoint, "secret", "webhook endpoint secrets"),
                (GatewaySession, "link_api_key", "gateway link API keys"))


def settle(after_restore: bool = False) -> dict:
    """Re-encrypt what an older listed key encrypted; returns tenant_secrets'
    {slug: [field, ...]} of tenants' secrets no listed key opens (unset after a restore)."""
    unreadable = tenant_secrets.seal_stored_secrets(unset_unreadable=after_restore)
    ledger_keys.settle()
    for document_class, field, what in USED_SECRETS:
        counts = secret_box.reseal_field(GlobalCollection(document_class), field)
        if counts["resealed"]:
            log.info("%s %s re-encrypted under SECRET_KEY's first key", counts["resealed"], what)
        if counts["unreadable"]:
            log.error("%s %s cannot be decrypted with SECRET_KEY: list the key that encrypted them, or set "
                      "them again", counts["unreadable"], what)
    return unreadable
