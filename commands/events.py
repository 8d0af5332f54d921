"""`flask --app app events republish`: send events to Kafka again, for consumers that lost data."""
import click
from flask.cli import AppGroup
from marshmallow import ValidationError

from commands.tenant_loop import each_tenant
from schemas.fields import Timestamp
from services.events import kafka_publisher

group = AppGroup("events", help="The event log and its Kafka publishing.")


@group.command("republish")
@click.option("--since", required=True, help="ISO 8601 time: events placed at or after it are sent again.")
@click.option("--tenant", "slug", default=None, help="Only this tenant (default: every tenant).")
def republish(since, slug):
    """Mark events to be published again; the running service's publisher sends them, oldest first."""
    try:
        since_ms = Timestamp().deserialize(since)
    except ValidationError:
        raise click.ClickException("--since takes an ISO 8601 time, e.g. 2026-11-22T10:00:00Z") from None
    for tenant in each_tenant(slug):
        click.echo(f"{tenant.slug}: {kafka_publisher.republish(since_ms)} events to publish again")
