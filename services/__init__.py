"""The rules of ChatKeep, one sub-package per domain; small shared helpers (clock,
errors, pagination, phones, money, JSON text, credentials) at this root."""
