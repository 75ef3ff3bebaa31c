"""The OpenAPI document and the routes agree: every documented operation is served, under every
catalog and with and without /cesceapiconnect, and nothing else is."""

from __future__ import annotations

import yaml


def test_every_documented_operation_is_routed_and_nothing_else(app):
    api = app.extensions["cesce"].api
    routed = {rule.endpoint.split(".")[-1] for rule in app.url_map.iter_rules() if not rule.rule.startswith("/_emulator")}
    assert routed == set(api.operations)
    for operation in api.operations.values():
        rules = [r for r in app.url_map.iter_rules() if r.endpoint.endswith("." + operation.operation_id)]
        assert sorted(r.rule for r in rules) == sorted(operation.flask_rules())
        assert all(operation.method in r.methods for r in rules)


def test_the_served_document_is_the_document_with_the_product_map(client, app):
    served = yaml.safe_load(client.get("/_emulator/openapi.yaml").get_data(as_text=True))
    assert served == app.extensions["cesce"].api.document
    assert served["openapi"] == "3.1.0"
    assert "/portfolio-movements/v1/contracts/{contractNo}/movements" in served["paths"]


def test_a_corrected_product_map_moves_routes_and_document(tmp_path):
    import shutil

    from emulator import Settings, create_app, resources

    mocks = tmp_path / "mocks"
    shutil.copytree(resources.mocks_dir(), mocks)
    products = mocks / "products.yaml"
    products.write_text(products.read_text().replace("classifications: classifications", "classifications: risk-classifications"))
    app = create_app(Settings(mocks_dir=str(mocks)))
    client = app.test_client()
    token = client.post("/dev/oauth2/v1/token", data={"grant_type": "password", "client_id": "c", "client_secret": "s",
                                                      "username": "u", "password": "p"}).json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    moved = client.get("/dev/risk-classifications/v1/contracts/10100000001/classifications?endorsementNo=100", headers=headers)
    assert moved.status_code == 200
    assert client.get("/dev/classifications/v1/contracts/10100000001/classifications?endorsementNo=100", headers=headers).status_code == 404
    assert "/risk-classifications/v1/contracts/{contractNo}/classifications:" in client.get("/_emulator/openapi.yaml").get_data(as_text=True)
    app.extensions["cesce"].store.close()
