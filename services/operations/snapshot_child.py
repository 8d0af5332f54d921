"""Snapshots taken for a serving process in a child process of their own.

The child is `python -m services.operations.snapshot_child`: it imports the models and
the snapshot code, not the web app, connects to the database the asking app uses (the
URI comes in the environment, never on a command line `ps` shows), writes one generation
and prints its manifest as JSON; it exits with snapshots.exit_status on failure.

The child writes no Prometheus files: one per scheduled snapshot (hundreds a day) would
pile up in PROMETHEUS_MULTIPROC_DIR, every one read on each scrape. Its parent counts
the outcome instead (snapshots.count_outcome); the database commands the child sends
are not counted.
"""
import os


def yield_cpu() -> None:
    """Snapshots the service takes while serving are background work: they get the CPU
    only when requests do not want it (SCHED_IDLE; the lowest nice level if that is
    not allowed). The final snapshot at shutdown runs in the master at full speed."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        os.nice(19)


if __name__ == "__main__":  # the child: idle priority before it imports the models and the snapshot code
    yield_cpu()

import argparse  # noqa: E402 - after the child has yielded the CPU
import json  # noqa: E402
import logging  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
from pathlib import Path  # noqa: E402

from models.db import connect, current_uri  # noqa: E402
from services import secret_box  # noqa: E402
from services.operations import snapshots  # noqa: E402
from services.operations.metrics import CommandCounter  # noqa: E402

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHILD_URI_ENV = "CHATKEEP_SNAPSHOT_DB_URI"
SECRET_KEY_ENV = "SECRET_KEY"  # the asking app's keys (empty: DATA_DIR's development key)
METRICS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"  # left out of the child's environment (see above)


class SnapshotChild:
    """A snapshot taken in a child process (this module's `main`, at idle CPU priority):
    reading and encoding the whole store in a serving worker would hold its GIL for the
    duration and stall the requests it answers."""

    def __init__(self, trigger: str, config):
        # The database and directory of the app asking, which need not be the
        # environment's (an app created with settings of its own); the project's root on
        # the import path, so the child starts from any working directory.
        command = child_command(trigger, config["DATA_DIR"], config["SNAPSHOT_KEEP"], config["DB_TIMEOUT_MS"])
        env = {name: value for name, value in os.environ.items() if name != METRICS_DIR_ENV}
        env.update({"PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])),
                    CHILD_URI_ENV: current_uri(), SECRET_KEY_ENV: config["SECRET_KEY_SETTING"] or ""})
        self.trigger = trigger
        self.counted = False
        self.process = subprocess.Popen(command, text=True, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def count(self, outcome: str) -> None:
        """Count the child's outcome here, once (the child writes no metrics)."""
        if not self.counted:
            self.counted = True
            snapshots.count_outcome(self.trigger, outcome)

    def manifest(self, timeout_s: float) -> dict:
        """Wait up to `timeout_s` for the manifest; subprocess.TimeoutExpired if it is
        still running (it goes on)."""
        stdout, stderr = self.process.communicate(timeout=timeout_s)
        if self.process.returncode != 0:
            last_line = stderr.strip().splitlines()[-1] if stderr.strip() else "snapshot failed"
            if self.process.returncode == snapshots.BUSY_EXIT:
                self.count("skipped")
                raise snapshots.SnapshotBusy(last_line)
            self.count("failed")
            raise snapshots.SnapshotError(last_line, disk_full=self.process.returncode == snapshots.DISK_FULL_EXIT)
        self.count("ok")
        return json.loads(stdout)

    def finish_unwatched(self) -> None:
        """Let the child finish on its own; a thread collects its output and exit status
        (no zombie, no pipe left to fill) and logs a failure."""
        def collect():
            try:
                self.manifest(timeout_s=None)
            except snapshots.SnapshotError as exc:
                log.error("snapshot failed after its request was answered: %s", exc)

        threading.Thread(target=collect, name="snapshot-child", daemon=True).start()


def child_command(trigger: str, data_dir: str, keep: int, timeout_ms: int) -> list[str]:
    """The child's command line (its database URI goes in CHILD_URI_ENV, never here)."""
    return [sys.executable, "-m", "services.operations.snapshot_child", "--trigger", trigger, "--data-dir",
            str(data_dir), "--keep", str(keep), "--timeout-ms", str(timeout_ms)]


def take_snapshot_in_child(trigger: str, config, timeout_s: float) -> dict:
    """Take a snapshot in a child process and wait for its manifest; one still running
    after `timeout_s` is stopped (subprocess.TimeoutExpired)."""
    child = SnapshotChild(trigger, config)
    try:
        return child.manifest(timeout_s)
    except subprocess.TimeoutExpired:
        child.process.kill()
        child.process.communicate()
        child.count("failed")
        raise


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trigger", choices=("manual", "scheduled"), required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--keep", type=int, required=True)
    parser.add_argument("--timeout-ms", type=int, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s")
    secret_box.configure(os.environ.get(SECRET_KEY_ENV) or None, args.data_dir)
    connect(os.environ[CHILD_URI_ENV], args.timeout_ms, [CommandCounter()])
    try:
        manifest = snapshots.take_snapshot(args.data_dir, args.trigger, args.keep)
    except snapshots.SnapshotError as exc:
        print(exc, file=sys.stderr)  # the last line is what the parent reports
        return snapshots.exit_status(exc)
    print(json.dumps(manifest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
