"""The message search box on the dashboard's conversations page, through Flask's test client."""
import re
from urllib.parse import unquote

import pytest

from app import create_app
from tests.conftest import ADMIN_TOKEN
from tests.dashboard_helpers import SECRET_KEY, sign_in
from tests.every_tier.test_api_messages import BOT, CUSTOMER, message, post

OTHER = "14155550123"


@pytest.fixture
def app(database_uri, tmp_path):
    return create_app({"MONGODB_URI": database_uri, "DATA_DIR": str(tmp_path), "CHATKEEP_ADMIN_TOKEN": ADMIN_TOKEN,
                       "TESTING": True, "AUTH_FAILURE_LIMIT": 100000, "SECRET_KEY": SECRET_KEY})


@pytest.fixture
def signed_in(client, tenant):
    assert sign_in(client, tenant.api_key).status_code == 303
    return client


def results(response) -> list[tuple[str, str, str]]:
    """(thread link, time, text) of each result, in page order."""
    page = response.get_data(as_text=True)
    return re.findall(r'<a href="([^"]+)">\s*<span class="who">[^<]*</span>\s*<span class="when"><time>([^<]+)'
                      r'</time></span>\s*<span class="preview">([^<]*)</span>', page)


def test_the_conversations_page_has_the_search_box(client, tenant, signed_in):
    page = client.get("/dashboard/conversations").get_data(as_text=True)
    assert 'action="/dashboard/conversations/search"' in page and 'name="q"' in page


def test_results_link_to_their_threads_with_local_times(client, admin, tenant, other_tenant, signed_in):
    client.patch(f"/api/v1/admin/tenants/{tenant.slug}", json={"timezone": "America/Sao_Paulo"}, headers=admin)
    post(client, tenant, message("in", "a", text="Cadê meu PEDIDO?"))
    post(client, tenant, message("out", "b", text="Seu pedido saiu para entrega", to=OTHER))
    post(client, tenant, message("in", "c", text="Obrigado"))
    post(client, other_tenant, message("in", "d", text="pedido de outro tenant"))
    found = client.get("/dashboard/conversations/search", query_string={"q": "pedído"})
    assert found.status_code == 200
    rows = results(found)
    assert [text for _link, _when, text in rows] == ["Seu pedido saiu para entrega", "Cadê meu PEDIDO?"]
    assert [unquote(link) for link, _when, _text in rows] == [
        f"/dashboard/conversations/{OTHER}/{BOT}", f"/dashboard/conversations/{CUSTOMER}/{BOT}"]
    assert all(when.endswith("-03") for _link, when, _text in rows)  # São Paulo's time, not UTC
    assert client.get(rows[1][0]).status_code == 200  # the link opens the thread
    assert "No messages with nada" in client.get("/dashboard/conversations/search?q=nada").get_data(as_text=True)


def test_results_page_on(client, tenant, signed_in):
    for n in range(27):
        post(client, tenant, message("in", f"m{n}", text=f"boleto número {n}"))
    first = client.get("/dashboard/conversations/search?q=boleto")
    assert len(results(first)) == 25
    more = re.search(r'href="(/dashboard/conversations/search\?[^"]+cursor=[^"]+)"', first.get_data(as_text=True))
    rest = client.get(more.group(1).replace("&amp;", "&"))
    assert [t for _l, _w, t in results(rest)] == ["boleto número 1", "boleto número 0"]


def test_a_bad_search_shows_the_form_again_with_the_problem(client, tenant, signed_in):
    for q in ("", "*", " ".join(["w"] * 11), "a" * 65):
        page = client.get("/dashboard/conversations/search", query_string={"q": q})
        assert page.status_code == 422
        body = page.get_data(as_text=True)
        assert 'id="q-problem"' in body and 'aria-invalid="true"' in body and 'name="q"' in body


def test_the_search_page_needs_a_sign_in(client, tenant):
    answer = client.get("/dashboard/conversations/search?q=x", headers={"Accept": "text/html"})
    assert answer.status_code in (302, 303) and "/dashboard/sign-in" in answer.headers["Location"]
