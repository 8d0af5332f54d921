"""GET /api/v1/messages/search on every tier: words, accents, prefixes, filters, paging,
bad input, erasure, and that a page is read from the term index."""
import time
from urllib.parse import quote

import pytest

from models.collections import ScopedCollection, scoped
from models.message_term import MessageTerm
from models.tenancy import tenant_scope
from services.messaging import message_search, messages, search_index
from services.operations import snapshots
from services.operations.upkeep import run_upkeep
from services.tenancy import tenants
from tests.conftest import assert_problem, create_tenant

BOT = "5511987654321"
CUSTOMER = "5511912345678"
OTHER = "14155550123"


def post(client, tenant, text, direction="in", customer=CUSTOMER, session_id="main", **extra):
    ends = {"from": customer, "to": BOT} if direction == "in" else {"from": BOT, "to": customer}
    response = client.post("/api/v1/messages", headers=tenant.headers, json={
        "session_id": session_id, "direction": direction, "text": text, **ends, **extra})
    assert response.status_code == 201, response.get_json()
    time.sleep(0.002)  # pages are ordered by the millisecond of storage
    return response.get_json()


def search(client, tenant, q, **params):
    query = "&".join(f"{k}={quote(str(v))}" for k, v in {"q": q, **params}.items())
    return client.get(f"/api/v1/messages/search?{query}", headers=tenant.headers)


def texts(client, tenant, q, **params):
    response = search(client, tenant, q, **params)
    assert response.status_code == 200, response.get_json()
    return [m["text"] for m in response.get_json()["items"]]


def test_every_word_whatever_the_case_and_accents(client, tenant):
    post(client, tenant, "Um CAFÉ com açúcar, por favor")
    post(client, tenant, "A ação foi concluída")
    post(client, tenant, "El niño pidió una canción", direction="out")
    post(client, tenant, "café sem açúcar? Não")
    post(client, tenant, None, type="image", media={"url": "https://gw.example/1.jpg", "caption": "Foto do CAFÉ"})
    assert texts(client, tenant, "cafe") == [None, "café sem açúcar? Não", "Um CAFÉ com açúcar, por favor"]
    assert texts(client, tenant, "acao") == ["A ação foi concluída"]
    assert texts(client, tenant, "AÇÃO") == ["A ação foi concluída"]
    assert texts(client, tenant, "nino cancion") == ["El niño pidió una canción"]
    assert texts(client, tenant, "cafe acucar por") == ["Um CAFÉ com açúcar, por favor"]  # every word
    assert texts(client, tenant, "cafe foto") == [None]  # the caption is searched too
    assert texts(client, tenant, "cafe chá") == []
    assert texts(client, tenant, "caf") == []  # a word, not a part of one


def test_a_word_ending_in_a_star_is_a_prefix(client, tenant):
    post(client, tenant, "A entrega saiu")
    post(client, tenant, "Pedido entregue ontem")
    post(client, tenant, "Entregamos e entregue, as duas")  # two terms under the prefix: listed once
    post(client, tenant, "Vamos entrar")
    assert texts(client, tenant, "entreg*") == ["Entregamos e entregue, as duas", "Pedido entregue ontem",
                                                "A entrega saiu"]
    assert texts(client, tenant, "pedido ENTREG*") == ["Pedido entregue ontem"]
    assert texts(client, tenant, "entregue*") == ["Entregamos e entregue, as duas", "Pedido entregue ontem"]
    assert texts(client, tenant, "entrz*") == []


def test_filters_narrow_the_search(client, tenant):
    first = post(client, tenant, "pedido um", session_id="loja-a")
    post(client, tenant, "pedido dois", direction="out", session_id="loja-b")
    third = post(client, tenant, "pedido tres", session_id="loja-b")
    assert texts(client, tenant, "pedido", session_id="loja-b") == ["pedido tres", "pedido dois"]
    assert texts(client, tenant, "pedido", direction="out") == ["pedido dois"]
    assert texts(client, tenant, "pedido", since=third["created_at"]) == ["pedido tres"]
    assert texts(client, tenant, "pedido", until=third["created_at"]) == ["pedido dois", "pedido um"]
    assert texts(client, tenant, "pedido", since=first["created_at"], until=third["created_at"],
                 direction="in") == ["pedido um"]


def test_pages_follow_each_other_while_new_messages_arrive(client, tenant):
    for n in range(7):
        post(client, tenant, f"pedido {n}")
        post(client, tenant, f"outra coisa {n}")
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = search(client, tenant, "pedido", **params).get_json()
        seen += [m["text"] for m in page["items"]]
        post(client, tenant, "pedido novo")  # newer than every page: never shows up behind the cursor
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"pedido {n}" for n in reversed(range(7))]


def test_bad_queries_are_422_naming_the_field(client, tenant):
    for q in ("", "   ", "!!!", "*", "*pedido", " ".join(f"w{n}" for n in range(11)), "a" * 65, "a" + " " * 1000 + "b",
              "ok " + "b" * 65 + "*"):
        assert_problem(search(client, tenant, q), 422, "q")
    assert_problem(client.get("/api/v1/messages/search", headers=tenant.headers), 422, "q")
    assert_problem(search(client, tenant, "ok", since="yesterday"), 422, "since")
    assert_problem(search(client, tenant, "ok", until="2026-13-01"), 422, "until")
    assert_problem(search(client, tenant, "ok", direction="sideways"), 422, "direction")
    assert_problem(search(client, tenant, "ok", limit=0), 422, "limit")
    assert_problem(search(client, tenant, "ok", cursor="bm90IG91cnM"), 422, "cursor")
    assert search(client, tenant, " ".join(f"w{n}" for n in range(10))).status_code == 200
    assert search(client, tenant, "a" * 64 + "*").status_code == 200


def test_only_the_tenants_own_messages(client, admin, tenant):
    other = create_tenant(client, admin)
    post(client, other, "segredo do outro")
    post(client, tenant, "segredo meu")
    assert texts(client, tenant, "segredo") == ["segredo meu"]
    assert texts(client, other, "segredo") == ["segredo do outro"]
    assert client.get("/api/v1/messages/search?q=segredo").status_code == 401


def _terms_of(app, tenant) -> list:
    with app.app_context(), tenant_scope(tenants.get_tenant(tenant.slug).id):
        return sorted(e["term"] for e in scoped(MessageTerm).find({}) if e["term"])


def test_an_erased_contact_is_never_found_and_leaves_no_words(app, client, tenant):
    post(client, tenant, "Meu endereço é rua Augusta")
    post(client, tenant, "Entregamos na rua Augusta", direction="out")
    post(client, tenant, "Moro na rua Oscar", customer=OTHER)
    assert client.delete(f"/api/v1/contacts/{CUSTOMER}", headers=tenant.headers).status_code == 200
    assert texts(client, tenant, "rua") == ["Moro na rua Oscar"]  # gone what must go, kept the rest
    assert texts(client, tenant, "augusta") == []
    assert _terms_of(app, tenant) == ["moro", "na", "oscar", "rua"]
    post(client, tenant, "Voltei, rua Augusta")  # after the erasure: stored and found as new
    assert texts(client, tenant, "augusta") == ["Voltei, rua Augusta"]


def test_a_deleted_conversation_leaves_no_words(app, client, tenant):
    post(client, tenant, "pedido apagado")
    post(client, tenant, "pedido guardado", customer=OTHER)
    assert client.delete(f"/api/v1/conversations/{CUSTOMER}/{BOT}", headers=tenant.headers).status_code == 204
    assert texts(client, tenant, "pedido") == ["pedido guardado"]
    assert _terms_of(app, tenant) == ["guardado", "pedido"]


def test_messages_stored_before_search_get_their_terms_from_the_backfill(app, client, tenant):
    for n in range(5):
        post(client, tenant, f"antigo {n}")
    tenant_id = tenants.get_tenant(tenant.slug).id
    with app.app_context(), tenant_scope(tenant_id):
        scoped(MessageTerm).delete_many({})  # as an older version stored them
    assert texts(client, tenant, "antigo") == []
    with app.app_context():
        run_upkeep(app.config)
    assert texts(client, tenant, "antigo") == [f"antigo {n}" for n in reversed(range(5))]
    with app.app_context(), tenant_scope(tenant_id):
        assert search_index.backfill() == {"messages": 0, "entries": 0, "done": True}  # once done, done
        again = search_index.backfill(from_start=True)
    assert again == {"messages": 5, "entries": 0, "done": True}  # idempotent: nothing twice


def test_the_backfill_goes_on_where_its_budget_stopped_it(app, client, tenant, monkeypatch):
    for n in range(7):
        post(client, tenant, f"antigo {n}")
    monkeypatch.setattr(search_index, "BATCH", 2)
    with app.app_context(), tenant_scope(tenants.get_tenant(tenant.slug).id):
        scoped(MessageTerm).delete_many({})
        assert search_index.backfill(budget_s=0)["messages"] == 2  # one batch, then the budget is spent
        assert search_index.backfill(budget_s=0)["messages"] == 2
        assert search_index.backfill()["messages"] == 3
    assert len(texts(client, tenant, "antigo", limit=10)) == 7


class ReadCounter:
    """The message documents a search reads, and the shape of its index reads."""

    def __init__(self, monkeypatch):
        self.messages, self.term_queries = 0, []
        find, find_by_ids = ScopedCollection.find, ScopedCollection.find_by_ids
        counter = self

        def counted_find(self, query, *args, **kwargs):
            if self._collection.name == "message_terms":
                counter.term_queries.append(query)
            else:
                raise AssertionError(f"search read messages by a query, not by _id: {query}")
            return find(self, query, *args, **kwargs)

        def counted_by_ids(self, ids):
            found = find_by_ids(self, ids)
            counter.messages += len(found)
            return found
        monkeypatch.setattr(ScopedCollection, "find", counted_find)
        monkeypatch.setattr(ScopedCollection, "find_by_ids", counted_by_ids)


def test_a_page_is_read_from_the_index_and_costs_the_same_for_more_other_messages(
        app, client, tenant, monkeypatch, database_uri):
    for n in range(4):
        post(client, tenant, f"boleto vencido {n}")
        post(client, tenant, f"boleto pago {n}")
    costs = []
    for _round in range(2):
        with monkeypatch.context() as patched:
            counter = ReadCounter(patched)
            assert len(texts(client, tenant, "vencido boleto", limit=3)) == 3
        costs.append(counter.messages)
        for query in counter.term_queries:  # every index read names the tenant and one term (or a term range)
            assert set(query) <= {"term", "created_at", "message_id", "_id"}, query
            assert isinstance(query["term"], str) or set(query["term"]) == {"$gte", "$lt"}
        for n in range(30):  # more of the tenant's other messages, some with one of the words
            post(client, tenant, f"boleto pago depois {n}" if n % 3 else f"outra conversa {n}")
    assert costs[0] == costs[1] <= 4  # the rarer word leads: the same few messages read
    with app.app_context(), tenant_scope(tenants.get_tenant(tenant.slug).id):
        lead, count = message_search.lead_word([("boleto", False), ("vencido", False)], {})
        assert lead == ("vencido", False) and count == 4
        plan = _plan(MessageTerm._get_collection(), tenants.get_tenant(tenant.slug).id, database_uri)
    if plan is not None:
        assert "USING INDEX idx_message_terms_tenant_id_term" in plan or "IXSCAN" in plan, plan
        assert "SCAN message_terms" not in plan.replace("SEARCH message_terms", "") and "COLLSCAN" not in plan


def _plan(collection, tenant_id: str, database_uri: str) -> str | None:
    """The server's plan for one page's index read (nx-27017: SQLite's; MongoDB: its
    winning plan); None on mongomock, which has no planner."""
    if database_uri.startswith("mongomock"):
        return None
    explained = collection.database.command("explain", {
        "find": collection.name, "filter": {"tenant_id": {"$eq": tenant_id}, "term": {"$eq": "vencido"},
                                            "created_at": {"$lte": 2 ** 50}},
        "sort": {"created_at": -1, "message_id": -1}, "limit": 101}, verbosity="queryPlanner")
    return str(explained["queryPlanner"]["winningPlan"])


@pytest.mark.parametrize("path", ["/api/v1/messages/search", "/api/v1/messages/export"])
def test_search_and_export_are_not_taken_for_message_ids(client, tenant, path):
    assert_problem(client.get(path, headers=tenant.headers), 422)


def test_a_restored_snapshot_is_searchable_and_keeps_erased_contacts_out(app, client, tenant, tmp_path):
    post(client, tenant, "pedido do cliente que sai")
    post(client, tenant, "pedido de quem fica", customer=OTHER)
    with app.app_context():
        older = snapshots.take_snapshot(str(tmp_path), "manual", 5)
    assert client.delete(f"/api/v1/contacts/{CUSTOMER}", headers=tenant.headers).status_code == 200
    result = app.test_cli_runner().invoke(args=["snapshot", "restore", older["generation"], "--replace"])
    assert result.exit_code == 0, result.output
    assert texts(client, tenant, "pedido") == ["pedido de quem fica"]  # the terms were made again
    assert _terms_of(app, tenant) == ["de", "fica", "pedido", "quem"]


def test_the_command_indexes_older_messages(app, client, tenant):
    post(client, tenant, "antigo")
    with app.app_context(), tenant_scope(tenants.get_tenant(tenant.slug).id):
        scoped(MessageTerm).delete_many({})
    result = app.test_cli_runner().invoke(args=["messages", "index-terms", "--tenant", tenant.slug, "--again"])
    assert result.exit_code == 0, result.output
    assert f"{tenant.slug}: 1 messages read, 1 terms added" in result.output
    assert texts(client, tenant, "antigo") == ["antigo"]


def test_many_matches_in_one_millisecond_page_without_repeats_or_gaps(app, client, tenant, monkeypatch,
                                                                      frozen_clock):
    monkeypatch.setattr(message_search, "BATCH_MIN", 2)
    frozen_clock.set("2026-11-22T10:00:00Z")
    earlier = [post(client, tenant, f"pedido antes {n}")["id"] for n in range(3)]
    frozen_clock.set("2026-11-22T10:00:01Z")
    tied = [post(client, tenant, f"pedido junto {n}")["id"] for n in range(7)]
    seen, cursor = [], None
    while True:
        page = search(client, tenant, "pedido", limit=1, **({"cursor": cursor} if cursor else {})).get_json()
        seen += [m["id"] for m in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(tied, reverse=True) + sorted(earlier, reverse=True)
    monkeypatch.setattr(search_index, "BATCH", 2)
    with app.app_context(), tenant_scope(tenants.get_tenant(tenant.slug).id):
        scoped(MessageTerm).delete_many({})
        assert search_index.backfill()["messages"] == 10  # the backfill through the same millisecond
    assert len(texts(client, tenant, "pedido", limit=20)) == 10


def test_a_term_left_from_before_does_not_stop_a_message_or_its_other_terms(app, client, tenant):
    """A deletion cut off between a message's terms and the message leaves terms behind;
    the same external id stored again collides with them inside its ordered write."""
    with app.app_context(), tenant_scope(tenants.get_tenant(tenant.slug).id):
        message_id = messages.message_id_for("wamid.again")
        search_index.post({"_id": message_id, "text": "pedido", "created_at": 1})
    post(client, tenant, "pedido novo chegou", external_id="wamid.again")
    assert texts(client, tenant, "novo") == texts(client, tenant, "pedido chegou") == ["pedido novo chegou"]


def test_messages_past_retention_leave_no_words(app, client, tenant, admin, frozen_clock):
    frozen_clock.set("2026-11-01T10:00:00Z")
    post(client, tenant, "pedido antigo")
    frozen_clock.set("2026-11-20T10:00:00Z")
    post(client, tenant, "pedido recente")
    assert client.patch(f"/api/v1/admin/tenants/{tenant.slug}", json={"message_retention_days": 10},
                        headers=admin).status_code == 200
    with app.app_context():
        assert run_upkeep(app.config)["messages"] == 1
    assert texts(client, tenant, "pedido") == ["pedido recente"]
    assert _terms_of(app, tenant) == ["pedido", "recente"]
