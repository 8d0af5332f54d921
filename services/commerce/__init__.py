"""Commerce and bot state: chat sessions, orders, their counting, sales statistics and legacy import."""
