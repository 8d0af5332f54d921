"""TEMPORARY SHIM (not committed): replaced by the real secret box at merge."""
import base64


class SecretKeyError(ValueError):
    pass


def encrypt(text: str) -> str:
    return "shim:" + base64.b64encode(text.encode()).decode()


def decrypt(token: str) -> str:
    if not token.startswith("shim:"):
        raise SecretKeyError("x")
    return base64.b64decode(token[5:]).decode()


def hmac_keys() -> list[bytes]:
    return [b"shim-key"]
