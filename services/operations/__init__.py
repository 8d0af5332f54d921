"""Running the service: snapshots and restore, the scheduler, leases, upkeep, metrics and the embedded database."""
