"""The application factory: services, a blueprint per area and the operator surface, and the
gateway's error handlers; nothing else."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from emulator.admin import api as admin_api
from emulator.api_document import ApiDocument
from emulator.areas import Area, Areas, discover
from emulator.gateway import GatewayError, blueprint, drain, dropping
from emulator.replay import cases
from emulator.sandbox_model import SandboxModel
from emulator.settings import Settings
from emulator.store import Store, all_migrations
from emulator.world import SandboxWorld

log = logging.getLogger("emulator")

MAX_BODY = 1024 * 1024  # larger requests get the gateway's 413


@dataclass(frozen=True)
class Services:
    """What every request needs, kept in ``app.extensions["cesce"]``."""

    settings: Settings
    store: Store
    model: SandboxModel
    api: ApiDocument
    replay: cases.Replay
    sandbox: SandboxWorld
    areas: Areas
    #: The area of each operationId.
    area_of: dict[str, Area]


def create_app(settings: Settings | None = None, areas: Areas | None = None) -> Flask:
    """The emulator as a Flask app, serving ``areas`` (by default every area it ships)."""
    settings = settings or Settings.from_env()
    areas = discover() if areas is None else areas
    model = SandboxModel.shared(settings.mocks_dir, areas)
    store = Store(settings.state, all_migrations(areas.migrations()), settings.synchronous)
    api = ApiDocument.build([area.document for area in areas.values() if area.document], model.products)
    replay = cases.load([model.directory / "replay", *([Path(settings.replay_dir)] if settings.replay_dir else [])])
    area_of = {operation: area for area in areas.values() for operation in area.operations}
    if set(area_of) != set(api.operations):
        unserved, undocumented = sorted(set(api.operations) - set(area_of)), sorted(set(area_of) - set(api.operations))
        raise RuntimeError(f"operations without a handler: {unserved}; handlers without an operation: {undocumented}")

    app = Flask("emulator", static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.extensions["cesce"] = Services(settings, store, model, api, replay, SandboxWorld(store, model), areas, area_of)
    guard = areas.guard()
    for area in areas.values():
        if area.operations:
            app.register_blueprint(blueprint(area.name, area.operations, api, guard))
    app.register_blueprint(admin_api.bp)
    app.wsgi_app = dropping(app.wsgi_app)

    @app.errorhandler(HTTPException)
    def gateway_error(error: HTTPException) -> Response:
        # A 405 names the methods the URL takes (RFC 9110 requires Allow on it).
        allow = {key: value for key, value in error.get_headers() if key == "Allow"}
        if error.code == 413:  # an operator call over its limit, refused as the gateway refuses one
            drain()
        return GatewayError(error.code or 500, headers=allow).response()

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        log.exception("unexpected error", exc_info=error)
        return GatewayError(500).response()

    return app
