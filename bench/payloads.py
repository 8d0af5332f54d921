"""Realistic Evolution API webhooks, built from the recorded fixtures in tests/fixtures.

Every upsert gets a unique key.id, a customer among several, its own text and time;
every update is a READ status for a message sent earlier, as Evolution reports it.
"""
import copy
import json
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "webhooks" / "evolution"
OWN_NUMBER = "5511987654321"
FIRST_TIMESTAMP = 1741960800
TEXTS = ("Oi! Vocês abrem no sábado?", "Qual o prazo de entrega para o CEP 01310-100?",
         "Quero trocar o tamanho do pedido 4821, pode ser?", "Obrigada, chegou certinho!",
         "Tem esse modelo em azul?")


def _fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


UPSERT = _fixture("messages_upsert_text_inbound")
UPDATE = _fixture("messages_update_read")


def customer(n: int) -> str:
    return f"55119{10000000 + n:08d}"


def own_number(n: int) -> str:
    """The session number of the n-th other tenant: every business has its own WhatsApp number."""
    return f"55219{87650000 + n:08d}"


def message_key(run: str, n: int) -> str:
    return f"3A{run.upper()}{n:012X}"


def upsert_item(key_id: str, customer_number: str, n: int) -> dict:
    data = copy.deepcopy(UPSERT["data"])
    data["key"].update(id=key_id, remoteJid=f"{customer_number}@s.whatsapp.net")
    data["pushName"] = f"Cliente {customer_number[-4:]}"
    data["message"]["conversation"] = f"{TEXTS[n % len(TEXTS)]} (#{n})"
    data["messageTimestamp"] = FIRST_TIMESTAMP + n
    return data


def envelope(event: str, data, own: str = OWN_NUMBER) -> dict:
    """The Evolution envelope; `sender` is the WhatsApp number of the tenant's session."""
    base = UPSERT if event == "messages.upsert" else UPDATE
    return {**copy.deepcopy(base), "event": event, "data": data, "sender": f"{own}@s.whatsapp.net"}


def upsert(key_id: str, customer_number: str, n: int) -> dict:
    return envelope("messages.upsert", upsert_item(key_id, customer_number, n))


def read_status(key_id: str, customer_number: str) -> dict:
    data = {**copy.deepcopy(UPDATE["data"]), "keyId": key_id, "fromMe": False,
            "remoteJid": f"{customer_number}@s.whatsapp.net", "status": "READ"}
    return envelope("messages.update", data)
