from enum import StrEnum


class GatewayKind(StrEnum):
    CLOUD = "cloud"
    EVOLUTION = "evolution"
    WAHA = "waha"

    def __str__(self) -> str:
        return str(self.value)
