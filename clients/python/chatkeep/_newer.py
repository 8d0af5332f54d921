"""API v1.2 endpoints that this client's generated code may not have yet (message search
and export, analytics): called over the generic request path, answers read with the
generated models where their shape is an existing one, else as Records."""
import csv
import io
import json

from ._calls import Call, Record, given, with_decimals
from ._generated.models.message import Message
from ._generated.models.message_page import MessagePage

MESSAGES = "/api/v1/messages"


def search(transport, filters: dict):
    filters = given(**filters)

    def page(cursor):
        return Call(url=f"{MESSAGES}/search", params={**filters, "cursor": cursor},
                    parse=lambda response: with_decimals(MessagePage.from_dict(response.json())))

    return transport.pages(page)


def export(transport, format: str, filters: dict):  # noqa: A002
    call = Call(url=f"{MESSAGES}/export", params={**given(**filters), "format": format})
    return transport.lines(call, _JsonLines() if format == "jsonl" else _CsvRows())


def analytics(transport, name: str, params: dict):
    return transport.run(Call(url=f"/api/v1/analytics/{name}", params=params,
                              parse=lambda response: Record(response.json())))


class _JsonLines:
    """A JSONL line -> [Message] (blank lines: [])."""

    def __call__(self, line: str) -> list:
        return [Message.from_dict(json.loads(line))] if line.strip() else []


class _CsvRows:
    """CSV lines -> one dict per row, keyed by the header row. A quoted field may hold line
    breaks: lines are gathered until their quotes balance, then read as one record."""

    def __init__(self):
        self.header, self.pending = None, ""

    def __call__(self, line: str) -> list:
        self.pending += line
        if self.pending.count('"') % 2:
            return []
        record, self.pending = self.pending, ""
        fields = next(csv.reader(io.StringIO(record)), None)
        if fields is None:
            return []
        if self.header is None:
            self.header = fields
            return []
        return [dict(zip(self.header, fields))]
