"""Events out: every stored change once, as a feed and on Kafka (docs/EVENTS.md)."""
