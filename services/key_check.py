"""Every host on one database must hold the same SECRET_KEY.

Secrets one host encrypts (tenants' Cloud secrets, gateway link keys, webhook endpoint
secrets, the erasure ledger's keys) must open on every other: two hosts with different
keys (or with none, each making its own development key in its DATA_DIR) would each
start fine and then fail at every secret the other wrote. So the database holds one
check record, a known text encrypted under the deployment's key; a host starting with a
SECRET_KEY that does not open it refuses to start, naming SECRET_KEY. A rotation
(`new,old`) re-encrypts it under the new key (as it does every other stored secret:
services.operations.stored_secrets), so hosts must list the new key before the old one
is dropped anywhere (README, "Rotating SECRET_KEY").
"""
import logging
import socket

from pymongo.errors import DuplicateKeyError

from models.collections import GlobalCollection
from models.secret_check import SecretCheck
from services import clock, secret_box

log = logging.getLogger(__name__)
CHECK_ID = "secret-key"
KNOWN_TEXT = "chatkeep SECRET_KEY check"


class SecretKeyMismatch(secret_box.SecretKeyError):
    """This host's SECRET_KEY does not open what the deployment encrypted."""


def check_secret_key(shared_database: bool) -> None:
    """Refuse (SecretKeyMismatch) a SECRET_KEY that does not open the check record, write
    the record if there is none, re-encrypt it under the first key after a rotation.
    `shared_database`: MONGODB_URI is set, so other hosts may use this database."""
    if shared_database and secret_box.uses_development_key():
        log.error("SECRET_KEY is unset while MONGODB_URI is set: this host encrypts with its own development "
                  "key (in its DATA_DIR); every other host on this database must use the same key, so set "
                  "SECRET_KEY to one key shared by all hosts")
    records = GlobalCollection(SecretCheck)
    record = records.find_one({"_id": CHECK_ID})
    if record is None:
        try:
            records.insert_one(_record())
            return
        except DuplicateKeyError:  # another host wrote it meanwhile: it must open for us too
            record = records.find_one({"_id": CHECK_ID})
    try:
        secret_box.decrypt(record["sealed"])
    except secret_box.SecretKeyError:
        raise SecretKeyMismatch(
            f"SECRET_KEY does not open what this deployment encrypted (its check record was written by "
            f"{record.get('written_by') or 'another host'} at {clock.iso(record.get('written_at') or 0)}): every "
            "host on one database must list the same keys in SECRET_KEY (a development key made in one "
            "host's DATA_DIR is not shared). Refusing to start.") from None
    if not secret_box.under_first_key(record["sealed"]):
        records.update_one({"_id": CHECK_ID, "sealed": record["sealed"]}, {"$set": _record()})


def _record() -> dict:
    return {"_id": CHECK_ID, "sealed": secret_box.encrypt(KNOWN_TEXT), "written_by": socket.gethostname(),
            "written_at": clock.now_ms()}
