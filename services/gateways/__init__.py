"""The gateways' side: Evolution, WAHA and Cloud API payloads parsed into internal
events, their ingest, the spool and the webhook archive."""
