"""Driving the dashboard through Flask's test client: forms carry a CSRF token."""
import re

SECRET_KEY = "2N0uRnx3Dp4XN0z6r7rWbK8c8kYQwVqH4kq3mV8PjzQ="  # a Fernet key, as the setting takes
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}  # as a browser asks


def csrf_token(page) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert found, page.get_data(as_text=True)[:500]
    return found.group(1)


def sign_in(client, key: str):
    token = csrf_token(client.get("/dashboard/sign-in"))
    return client.post("/dashboard/sign-in", data={"key": key, "csrf_token": token})


def post_form(client, page_path: str, action_path: str, **fields):
    """POST `action_path` with the CSRF token of the form on `page_path`, as a browser does."""
    token = csrf_token(client.get(page_path))
    return client.post(action_path, data={"csrf_token": token, **fields})
