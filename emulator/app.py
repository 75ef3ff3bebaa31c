"""The application factory: services, blueprints and the gateway's error handlers; nothing else."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from emulator.admin import api as admin_api
from emulator.api_document import ApiDocument
from emulator.auth import api as auth_api
from emulator.gateway import GatewayError, blueprint
from emulator.replay import cases
from emulator.replay.cases import Case
from emulator.risks import api as risks_api
from emulator.sandbox_model import SandboxModel
from emulator.settings import Settings
from emulator.store import Store
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
    replay: list[Case]
    sandbox: SandboxWorld


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    model = SandboxModel(settings.mocks_dir)
    store = Store(settings.state, settings.synchronous)
    api = ApiDocument.for_products(model.products)
    replay = cases.load([model.directory / "replay", *([Path(settings.replay_dir)] if settings.replay_dir else [])])

    app = Flask("emulator", static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.extensions["cesce"] = Services(settings, store, model, api, replay, SandboxWorld(store, model))
    app.register_blueprint(auth_api.blueprint(api))
    app.register_blueprint(blueprint("risks", risks_api.operations, api))
    app.register_blueprint(admin_api.bp)

    @app.errorhandler(HTTPException)
    def gateway_error(error: HTTPException) -> Response:
        # A 405 names the methods the URL takes (RFC 9110 requires Allow on it).
        allow = {key: value for key, value in error.get_headers() if key == "Allow"}
        return GatewayError(error.code or 500, headers=allow).response()

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        log.exception("unexpected error", exc_info=error)
        return GatewayError(500).response()

    return app
