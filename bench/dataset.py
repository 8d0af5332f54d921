"""The data the scaling figures are measured on: one tenant at 1x, then 10x in total.

At 1x the measured tenant has `conversations` conversations (so a conversation page of
50 is full) and one conversation of `target_messages` messages (so a message page of 50
is full). Growing to 10x adds 9 * unit messages that belong elsewhere: half to new
conversations of the same tenant, half to four other tenants. The measured pages keep
their size; only what surrounds them grows.

Messages go in as batched Evolution upserts (`data` as a list, which Evolution sends and
ChatKeep accepts) from the load generator: the fast way in, through the real API.
"""
from bench import api, loadgen, payloads
from bench.settings import Profile

BATCH = 50
OTHER_TENANTS = 4


class Dataset:
    def __init__(self, profile: Profile, run_tag: str):
        self.profile = profile
        self.run_tag = run_tag
        self.tenants: dict[str, dict] = {}
        self.messages = 0
        self.sequence = 0  # makes every key.id and timestamp unique across loads

    @property
    def measured(self) -> dict:
        return self.tenants["measured"]

    @property
    def target_customer(self) -> str:
        return payloads.customer(0)

    def load_1x(self, url: str) -> None:
        p = self.profile
        self.tenants["measured"] = api.create_tenant(url, f"measured-{self.run_tag}")
        plan = [0] * p.target_messages
        plan += [1 + n % (p.conversations - 1) for n in range(p.unit - p.target_messages)]
        self._send(url, self.measured, plan)

    def grow_to_10x(self, url: str) -> None:
        p = self.profile
        extra = 9 * p.unit
        own_share, other_share = extra // 2, extra - extra // 2
        # New customers of the measured tenant: numbers after the 1x ones.
        self._send(url, self.measured, [p.conversations + n % (4 * p.conversations) for n in range(own_share)])
        for i in range(OTHER_TENANTS):
            tenant = api.create_tenant(url, f"other{i}-{self.run_tag}")
            self.tenants[f"other{i}"] = tenant
            share = other_share // OTHER_TENANTS + (1 if i < other_share % OTHER_TENANTS else 0)
            # The same customers, but each business has its own number: different conversations.
            self._send(url, tenant, [n % (2 * p.conversations) for n in range(share)], payloads.own_number(i))

    def _send(self, url: str, tenant: dict, customers: list[int], own: str = payloads.OWN_NUMBER) -> None:
        items = []
        for customer in customers:
            key = payloads.message_key(f"{self.run_tag}D", self.sequence)
            items.append(payloads.upsert_item(key, payloads.customer(customer), self.sequence))
            self.sequence += 1
        path = api.webhook_path(tenant)
        requests = [loadgen.request("POST", path, payloads.envelope("messages.upsert", items[i:i + BATCH], own))
                    for i in range(0, len(items), BATCH)]
        result = loadgen.run(url, requests, 2, self.profile.max_load_s)
        if result["statuses"].get("200", 0) != len(requests):
            raise RuntimeError(f"loading data: {result['statuses']}")
        self.messages += len(items)
