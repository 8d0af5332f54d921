"""What the OpenAPI finishing pass (schemas.openapi_document) cannot derive by itself.

Operation ids are `<resource>_<action>`, derived from the path and method; these are the
operations whose derived name would read badly. An operationId given with
`@blp.doc(operationId=...)` wins over both.
"""
OPERATION_IDS = {
    "GET /healthz": "health_check",
    "GET /readyz": "readiness_check",
    "GET /metrics": "metrics_get",
    "GET /api/v1/stats": "stats_get",
    "PATCH /api/v1/messages/{message_id}": "messages_update_status",
    "GET /api/v1/messages/by-external-id/{external_id}": "messages_get_by_external_id",
    "GET /api/v1/sessions/{session_id}/gateway": "sessions_gateway_get",
    "DELETE /api/v1/contacts/{phone}": "contacts_erase",
    "GET /api/v1/contacts/erasures/{erasure_id}": "contacts_erasure_get",
    "POST /webhooks/evolution/{slug}": "webhooks_evolution_receive",
    "POST /webhooks/evolution/{slug}/{event_name}": "webhooks_evolution_event_receive",
    "POST /webhooks/waha/{slug}": "webhooks_waha_receive",
    "GET /webhooks/whatsapp/{slug}": "webhooks_whatsapp_verify",
    "POST /webhooks/whatsapp/{slug}": "webhooks_whatsapp_receive",
}

# Output properties that an answer may leave out (every other property of a schema that
# is only ever sent is documented as required).
PAGE_OPTIONAL = {"total", "total_capped"}  # of every list page: only with include_total
OPTIONAL_OUTPUT = {
    "WebhookResult": {"spooled", "held", "rejected", "errors"},
    "Erasure": {"phone", "finished_at"},
    "Manifest": {"completed_at"},
    "SnapshotRunning": {"detail"},
}

