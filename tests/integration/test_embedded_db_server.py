"""The embedded database's launcher (services/operations/embedded_db_server.py) on a real
nx-27017, in threaded mode: a stop lets the running commands finish."""
import signal
import threading
import time

from pymongo import MongoClient

from tests.integration.processes import start_nx, stop

DOCUMENTS = 60_000  # one insert command (under maxWriteBatchSize) that takes the server about 3 s here


def test_a_stop_lets_the_running_command_finish(tmp_path):
    proc, uri = start_nx(tmp_path)
    outcome = {}

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
        time.sleep(1.0)  # the command is running
        assert writer.is_alive()
        proc.send_signal(signal.SIGTERM)
        writer.join(60)
        assert outcome == {"inserted": DOCUMENTS}
        assert proc.wait(30) == 0
    finally:
        stop(proc)
    proc, uri = start_nx(tmp_path)  # the same files
    try:
        client = MongoClient(uri)
        assert client.chatkeep.big.count_documents({}) == DOCUMENTS
        client.close()
    finally:
        stop(proc)

