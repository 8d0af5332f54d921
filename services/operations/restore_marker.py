"""The restore-in-progress marker (models.restore_marker): written first, removed last.

While it exists the store may hold part of a generation: /readyz answers 503, and the
next start (or `snapshot restore`) clears what the cut-off restore wrote and restores
again."""
import socket
from pathlib import Path

from models.collections import GlobalCollection
from models.restore_marker import RestoreMarker
from services import clock

MARKER_ID = "restore"


def mark_started(generation: Path, started_by: str) -> None:
    marker = {"generation": generation.name, "source": str(generation.resolve()), "started_at": clock.now_ms(),
              "started_by": f"{started_by} on {socket.gethostname()}"}
    GlobalCollection(RestoreMarker).update_one({"_id": MARKER_ID}, {"$set": marker}, upsert=True)


def unfinished() -> dict | None:
    """The marker of a restore that is running or was cut off, or None."""
    return GlobalCollection(RestoreMarker).find_one({"_id": MARKER_ID})


def mark_finished() -> None:
    GlobalCollection(RestoreMarker).delete_many({"_id": MARKER_ID})
