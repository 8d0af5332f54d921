"""Search and export of messages: their query parameters and the export's rows."""
import csv
import io
import json

from marshmallow import Schema, ValidationError, fields, validate

from schemas.fast_dump import dumper
from schemas.fields import AsciiInteger, Timestamp, phone_or_422
from schemas.messages import MessageSchema
from schemas.sessions import SESSION_ID
from services.clock import iso
from services.search_terms import MAX_QUERY_WORDS, MAX_WORD, BadQuery, parse_query
from services.phones import conversation_id_for

EXPORT_FORMATS = ("jsonl", "csv")
CSV_COLUMNS = ("id", "created_at", "session_id", "direction", "from", "to", "status", "text", "media_url",
               "external_id")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_QUERY_CHARS = 1000


class SearchWords(fields.String):
    """The `q` of a search, loaded as [(term, is_prefix)] (services.search_terms)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).setdefault("maxLength", MAX_QUERY_CHARS)
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > MAX_QUERY_CHARS:
            raise ValidationError(f"At most {MAX_QUERY_CHARS} characters.")
        try:
            return parse_query(text)
        except BadQuery as exc:
            raise ValidationError(str(exc)) from None


class ConversationPair(fields.String):
    """`<a>:<b>`, two phones in any accepted form, loaded as the conversation id."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        a, sep, b = text.partition(":")
        if not sep or not a or not b:
            raise ValidationError("Give the two phones as `<a>:<b>`.")
        try:
            return conversation_id_for(phone_or_422(a, "conversation"), phone_or_422(b, "conversation"))
        except ValidationError as exc:
            raise ValidationError(exc.messages["conversation"]) from None


class TimeRange(Schema):
    since = Timestamp(metadata={"description": "Only messages stored at or after this time."})
    until = Timestamp(metadata={"description": "Only messages stored before this time."})
    session_id = fields.String(validate=SESSION_ID)


class MessageSearchQuerySchema(TimeRange):
    q = SearchWords(required=True, metadata={
        "description": f"1 to {MAX_QUERY_WORDS} words, each at most {MAX_WORD} letters and digits; a message matches "
                       "when it has every word in its text or media caption, whatever the case and accents "
                       "(`cafe` finds `Café`). A word ending in `*` is a prefix (`entreg*`).",
        "example": "pedido entreg*"})
    direction = fields.String(validate=validate.OneOf(("in", "out")))
    limit = AsciiInteger(load_default=50, validate=validate.Range(min=1, max=200),
                         metadata={"description": "Items per page, 1..200."})
    cursor = fields.String(load_default=None, validate=validate.Length(max=512),
                           metadata={"description": "Opaque cursor from the previous page's next_cursor."})


class MessageExportQuerySchema(TimeRange):
    format = fields.String(required=True, validate=validate.OneOf(EXPORT_FORMATS),
                           metadata={"description": "`jsonl`: one message per line, in the API's message shape; "
                                                    "`csv`: a header row, then one row per message."})
    conversation = ConversationPair(metadata={
        "description": "Only this conversation: its two phones as `<a>:<b>`, in any order and accepted form.",
        "example": "5511912345678:5511987654321"})


_message = dumper(MessageSchema())  # a million rows: the quick dump (schemas.fast_dump)


def jsonl_lines(batch: list[dict]) -> str:
    return "".join(json.dumps(_message(m), ensure_ascii=False, separators=(",", ":")) + "\n" for m in batch)


def _cell(value) -> str:
    """A spreadsheet must not run what a customer wrote: a cell that would start a formula
    gets a leading apostrophe (OWASP's CSV injection advice). JSONL keeps exact values."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_header() -> str:
    return _csv_text([CSV_COLUMNS])


def csv_rows(batch: list[dict]) -> str:
    rows = []
    for message in batch:
        shown = _message(message)
        rows.append([_cell(v) for v in (shown["id"], shown["created_at"], shown["session_id"], shown["direction"],
                                        shown["from"], shown["to"], shown["status"], shown["text"],
                                        (shown.get("media") or {}).get("url"), shown["external_id"])])
    return _csv_text(rows)


def _csv_text(rows) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def export_file_name(fmt: str, now_ms: int) -> str:
    return f"messages-{iso(now_ms).replace(':', '').replace('-', '').split('.')[0]}Z.{fmt}"
