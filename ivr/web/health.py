"""GET /healthz: is the app up, and can it reach its database?"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from ivr import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    database = "ok" if db.ping(current_app) else "unreachable"
    # Still 200 when the database is down: the app keeps answering callers with the spoken
    # fallback, so a load balancer should not take it out of service. Monitoring reads "status".
    body = {"status": "ok" if database == "ok" else "degraded", "app": "ok", "database": database}
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response
