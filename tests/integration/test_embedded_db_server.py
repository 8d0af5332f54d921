"""The embedded database's launcher (services/operations/embedded_db_server.py) on a real
nx-27017, in threaded mode: a stop lets the running commands finish and starts no new one."""
import signal
import socket
import threading
from urllib.parse import urlsplit

import pytest
from pymongo import MongoClient
from pymongo.errors import PyMongoError

from tests.integration.processes import start_nx, stop, wait_until

DOCUMENTS = 20_000  # one insert command that takes the server about 1 s here


def accepts_connections(uri: str) -> bool:
    address = urlsplit(uri)
    try:
        socket.create_connection((address.hostname, address.port), timeout=1).close()
        return True
    except OSError:
        return False


def test_a_stop_lets_the_running_command_finish_and_refuses_new_ones(tmp_path):
    proc, uri = start_nx(tmp_path)
    outcome = {}
    late = MongoClient(uri, maxPoolSize=1, serverSelectionTimeoutMS=1000, socketTimeoutMS=10_000)
    late.admin.command("ping")  # its connection is open before the stop

    def insert():
        client = MongoClient(uri, serverSelectionTimeoutMS=2000, socketTimeoutMS=60_000)
        try:
            outcome["inserted"] = len(client.chatkeep.big.insert_many(
                [{"_id": n, "text": f"mensagem {n}"} for n in range(DOCUMENTS)]).inserted_ids)
        except Exception as exc:  # what the client got instead: part of a bulk written, then a reset
            outcome["error"] = exc
        finally:
            client.close()

    try:
        writer = threading.Thread(target=insert)
        writer.start()
        # The server creates the database's file at its first write: the insert is running.
        wait_until(lambda: (tmp_path / "db" / "chatkeep.db").exists(), 30, interval_s=0.005)
        proc.send_signal(signal.SIGTERM)
        wait_until(lambda: not accepts_connections(uri), 10, interval_s=0.005)  # the stop has begun
        assert writer.is_alive()
        with pytest.raises(PyMongoError):  # arrives during the stop: refused, not run
            late.chatkeep.other.insert_one({"_id": "late"})
        writer.join(60)
        assert outcome == {"inserted": DOCUMENTS}
        assert proc.wait(30) == 0
    finally:
        late.close()
        stop(proc)
    proc, uri = start_nx(tmp_path)  # the same files
    try:
        client = MongoClient(uri)
        assert client.chatkeep.big.count_documents({}) == DOCUMENTS
        assert client.chatkeep.other.count_documents({}) == 0
        client.close()
    finally:
        stop(proc)
