"""The floor: the cheapest Flask JSON endpoint gunicorn can serve, to divide ChatKeep's CPU by.

It reads the body as ChatKeep's webhook does (so body size costs the same) and answers
{"ok": true}; whatever ChatKeep spends beyond this is its own work.
"""
from flask import Flask, request

app = Flask(__name__)


@app.post("/")
def ok():
    request.get_data()
    return {"ok": True}
