"""Signing in to the dashboard with a tenant's API key or the admin token, and out.

Failures count in the same per-address throttle as the API's (blueprints.auth): after
AUTH_FAILURE_LIMIT a minute the address gets 429 with Retry-After, except with a key
this worker has already verified, so a tenant is not held back by a noisy neighbour.
"""
from flask import current_app, g, redirect, render_template, request, url_for

from blueprints.auth import MAX_KEY_LENGTH
from blueprints.dashboard import identity
from blueprints.dashboard.web import bp
from services.credentials import same_secret
from services.tenancy.tenants import is_known_api_key, tenant_for_api_key
from services.tenancy.throttle import throttle


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if request.method == "GET":
        if g.dashboard:
            return redirect(url_for("dashboard.home"), 303)
        return render_template("dashboard/sign_in.html")
    client = request.remote_addr or "unknown"
    key = request.form.get("key", "").strip()
    wait = 0 if key and is_known_api_key(key) else throttle.retry_after(client)
    if wait:
        return render_template("dashboard/sign_in.html", error="Too many failed attempts from this address; "
                               f"try again in {wait} seconds."), 429, {"Retry-After": str(wait)}
    admin_token = current_app.config.get("CHATKEEP_ADMIN_TOKEN")
    if key and admin_token and same_secret(key, admin_token):
        identity.sign_in_operator(admin_token)
        return redirect(url_for("dashboard.home"), 303)
    tenant = tenant_for_api_key(key) if key and len(key) <= MAX_KEY_LENGTH else None
    if tenant is None:
        throttle.failed(client)
        return render_template("dashboard/sign_in.html", error="That key is not valid."), 401
    identity.sign_in_tenant(tenant)
    return redirect(url_for("dashboard.home"), 303)


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    identity.sign_out()
    return redirect(url_for("dashboard.sign_in"), 303)
