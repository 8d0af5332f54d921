"""Tenants, their keys and settings, the per-process tenant cache and the authentication throttle."""
