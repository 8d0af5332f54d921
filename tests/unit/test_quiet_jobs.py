"""Scheduler jobs log what they did, and nothing when they did nothing."""
import logging

from models.tenancy import tenant_scope
from services import clock
from services.commerce import chat_sessions
from services.operations import upkeep
from services.tenancy.tenants import create_tenant


def _upkeep_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == upkeep.__name__]


def test_upkeep_logs_only_when_it_did_something(app, caplog):
    with app.app_context(), caplog.at_level(logging.INFO):
        tenant = create_tenant("quiet", "Quiet")[0]
        upkeep.run_upkeep(app.config)
        assert _upkeep_lines(caplog) == []
        with tenant_scope(tenant.id):
            chat_sessions.put_session("5511900000025", {}, clock.now_ms() - 25 * clock.HOUR_MS,
                                      tenant.chat_session_ttl_hours)
        upkeep.run_upkeep(app.config)
    [line] = _upkeep_lines(caplog)
    assert "'chat_sessions': 1" in line
