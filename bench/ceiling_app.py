"""The ceiling for `bench/load.py`: a bare Flask app that answers every POST with one constant
<Gather>, served by the same gunicorn command line as the line itself.

No signature check, no database, no flows: whatever TRU Line's webhooks cost above this is the
app's own work. `GET /healthz` exists only so the benchmark can tell when the server is up.

    gunicorn ... 'bench.ceiling_app:create_app()'   (run from the repository root)
"""

from __future__ import annotations

from flask import Flask, Response

#: What every POST gets: a menu whose action posts back to this app, like the line's own steps.
TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response>'
    '<Gather action="/voice/step/1?lang=en" actionOnEmptyResult="true" input="dtmf speech" '
    'language="en-US" timeout="5">'
    '<Say language="en-US" voice="Polly.Joanna-Neural">Press 1 or say yes.</Say>'
    "</Gather></Response>"
)


def create_app() -> Flask:
    app = Flask(__name__)

    @app.post("/", defaults={"path": ""})
    @app.post("/<path:path>")
    def constant_gather(path: str) -> Response:
        return Response(TWIML, mimetype="text/xml")

    @app.get("/healthz")
    def healthz() -> Response:
        return Response('{"status": "ok"}', mimetype="application/json")

    return app
