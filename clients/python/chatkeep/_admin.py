"""The operator's API (Bearer CHATKEEP_ADMIN_TOKEN): `ck.admin.tenants`, `ck.admin.snapshots`."""
from ._calls import Call, given, wire
from ._generated.api.admin import (admin_tenants_create, admin_tenants_get, admin_tenants_list,
                                   admin_tenants_rotate_key, admin_tenants_rotate_webhook_token,
                                   admin_tenants_update)
from ._generated.api.snapshots import admin_snapshots_create, admin_snapshots_list
from ._resources import Resource


class Tenants(Resource):
    def create(self, slug, name):
        """The answer carries api_key and webhook_token: shown only here."""
        return self._t.run(Call(admin_tenants_create, body=given(slug=slug, name=name), admin=True))

    def get(self, slug):
        return self._t.run(Call(admin_tenants_get, (slug,), admin=True))

    def list(self, limit=None):
        return self._t.pages(lambda cursor: Call(admin_tenants_list, params=given(limit=limit, cursor=cursor),
                                                 admin=True))

    def update(self, slug, **settings):
        """name, cloud_app_secret, cloud_verify_token, chat_session_ttl_hours, timezone,
        message_retention_days (None keeps messages for ever)."""
        return self._t.run(Call(admin_tenants_update, (slug,), body=wire(settings), admin=True))

    def rotate_key(self, slug):
        return self._t.run(Call(admin_tenants_rotate_key, (slug,), admin=True))

    def rotate_webhook_token(self, slug):
        return self._t.run(Call(admin_tenants_rotate_webhook_token, (slug,), admin=True))


class Snapshots(Resource):
    def create(self):
        return self._t.run(Call(admin_snapshots_create, admin=True))

    def list(self):
        return self._t.run(Call(admin_snapshots_list, admin=True))


class Admin:
    def __init__(self, transport):
        self.tenants = Tenants(transport)
        self.snapshots = Snapshots(transport)
