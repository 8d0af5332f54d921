"""Events out: every stored change once, as a feed, on Kafka and to tenants' webhook endpoints (docs/EVENTS.md)."""
