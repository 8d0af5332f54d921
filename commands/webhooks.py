"""`flask --app app webhooks replay`: archived webhook bodies through the storage path again."""
import click
from flask.cli import AppGroup
from marshmallow import ValidationError

from commands.tenant_loop import each_tenant
from schemas.fields import Timestamp
from services.gateways import webhook_archive
from services.gateways.ingest import repair_summaries, store_received

group = AppGroup("webhooks", help="Re-ingest archived webhook bodies (WEBHOOK_ARCHIVE_DAYS).")


@group.command("replay")
@click.option("--tenant", "slug", required=True, help="The tenant whose archived webhooks to replay.")
@click.option("--since", required=True, help="ISO 8601 time: replay bodies received at or after it.")
@click.option("--until", default=None, help="ISO 8601 time: only bodies received before it.")
def replay_webhooks(slug, since, until):
    """Feed archived webhook bodies through the storage path again (idempotent)."""
    window = {}
    try:
        for name, value in (("since", since), ("until", until)):
            if value is not None:
                window[name] = Timestamp().deserialize(value)
    except ValidationError:
        raise click.ClickException("--since and --until take ISO 8601 times, e.g. 2026-11-22T10:00:00Z") from None
    totals = {"bodies": 0, "accepted": 0, "duplicates": 0, "ignored": 0}
    for tenant in each_tenant(slug):
        repairs = set()
        for kept in webhook_archive.kept_since(window["since"], window.get("until")):
            result = store_received({"tenant_id": tenant.id, "gateway": kept["gateway"], "body": kept["body"]},
                                    repairs)
            totals["bodies"] += 1
            for name in ("accepted", "duplicates", "ignored"):
                totals[name] += result[name]
        repair_summaries(repairs)
    click.echo(f"{slug}: {totals['bodies']} bodies replayed: {totals['accepted']} accepted, "
               f"{totals['duplicates']} duplicates, {totals['ignored']} ignored")
