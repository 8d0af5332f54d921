"""One API call, described once and run by either transport (sync or async).

The generated operation module gives the method, the URL and the typed parsing of the
answer; the values a caller passes go on the wire as given (strings stay strings), so
the service, not this client, says what is invalid: a 422 ProblemError naming the field.
"""
import dataclasses
import datetime
import enum
import keyword
from collections.abc import Callable
from decimal import Decimal
from types import ModuleType
from typing import Any

import attrs
import httpx

from ._errors import ChatKeepError
from ._generated.client import Client

# Properties of `format: decimal` in the document (amounts, as decimal strings on the wire);
# a test keeps this list equal to the document's.
MONEY_FIELDS = frozenset({"unit_price", "total", "revenue"})


class _Json:
    """A request body as the generated code takes one (an object with to_dict)."""

    def __init__(self, value: dict):
        self.value = value

    def to_dict(self) -> dict:
        return self.value


def wire(value: Any) -> Any:
    """A Python value as JSON or a query string wants it."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value.astimezone(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(value, (datetime.date, Decimal)):
        return str(value)
    if isinstance(value, dict):
        return {k: wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [wire(v) for v in value]
    return value


def given(**values) -> dict:
    """The keyword arguments the caller gave (None means: leave it out), in wire form."""
    return {name.rstrip("_"): wire(value) for name, value in values.items() if value is not None}


def with_decimals(value: Any) -> Any:
    """Amounts of a parsed answer as Decimal, in place (attrs models, lists, dicts)."""
    if attrs.has(type(value)):
        for field in attrs.fields(type(value)):
            current = getattr(value, field.name)
            if field.name in MONEY_FIELDS and isinstance(current, str):
                setattr(value, field.name, Decimal(current))
            else:
                with_decimals(current)
    elif isinstance(value, list):
        for item in value:
            with_decimals(item)
    elif isinstance(value, dict):
        for item in value.values():
            with_decimals(item)
    return value


@dataclasses.dataclass
class Call:
    """What to send and how to read the answer."""

    op: ModuleType | None = None  # a module of chatkeep._generated.api
    path: tuple = ()
    params: dict | None = None
    body: Any = None
    admin: bool = False
    method: str = "get"  # with op=None: the generic request path
    url: str = ""
    parse: Callable[[httpx.Response], Any] | None = None

    def request(self, headers: dict) -> dict:
        if self.op is None:
            kwargs = {"method": self.method, "url": self.url}
        else:
            kwargs = self.op._get_kwargs(*self.path, **({"body": _Json(self.body)} if self.body is not None else {}))
        if self.op is None and self.body is not None:
            kwargs["json"] = self.body
        kwargs["params"] = {k: v for k, v in (self.params or {}).items() if v is not None}
        kwargs["headers"] = {**kwargs.get("headers", {}), **headers}
        return kwargs

    def result(self, client: Client, response: httpx.Response) -> Any:
        if response.status_code == 204:
            return None
        try:
            if self.parse is not None:
                return self.parse(response)
            return with_decimals(self.op._parse_response(client=client, response=response))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ChatKeepError(f"Could not read the answer ({response.status_code}) to "
                                f"{response.request.method} {response.request.url.path}: {exc!r}") from exc


class Record:
    """Attribute access over an answer that has no generated model (endpoints newer than
    this client's generated code). `from` reads as `from_`, like in the generated models."""

    def __init__(self, data: dict):
        for key, value in data.items():
            setattr(self, key + "_" if keyword.iskeyword(key) else key, _record(value))
        self._data = data

    def to_dict(self) -> dict:
        return self._data

    def __repr__(self) -> str:
        return f"Record({self._data!r})"


def _record(value: Any) -> Any:
    if isinstance(value, dict):
        return Record(value)
    if isinstance(value, list):
        return [_record(v) for v in value]
    return value
