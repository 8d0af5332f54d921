"""What several command groups share: a domain error as a command error, and the loop
over the tenants an operator names."""
import click

from services.errors import ServiceError
from services.tenancy import tenants


def or_click_error(function, *args):
    try:
        return function(*args)
    except ServiceError as exc:
        raise click.ClickException(exc.detail) from None


def each_tenant(slug: str | None):
    """The named tenant, or every tenant, each with its queries scoped to it; an
    unknown slug is a command error."""
    try:
        yield from tenants.each_tenant(slug)
    except ServiceError as exc:
        raise click.ClickException(exc.detail) from None
