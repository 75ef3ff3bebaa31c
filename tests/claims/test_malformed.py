"""However malformed a claims request, the answer is Cesce's envelope or the gateway's, never a
5xx: multipart bodies built from the upload's own field names, in both modes (the JSON bodies,
query strings and path parameters of every operation are fuzzed by tests/conftest.py's fuzzer)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator import Settings, create_app
from tests.claims.conftest import CLAIMS, START, Claims
from tests.conftest import Api

names = st.sampled_from(["documentNo", "file", "languageCode", "client", ""]) | st.text(max_size=8)
texts = st.sampled_from(["1", "0", "2", "", " ", "999999999", "1,00", "ES"]) | st.text(max_size=20)


@pytest.fixture(scope="module", params=[False, True], ids=["lenient", "strict"])
def claims(request):
    app = create_app(Settings(strict=request.param))
    found = Claims(Api(app.test_client(), "fuzz-claims"))
    found.at(START)
    found.opened()
    yield found
    app.extensions["cesce"].store.close()


@settings(max_examples=150, suppress_health_check=list(HealthCheck), deadline=None)
@given(data=st.data())
def test_no_upload_crashes(claims, data):
    dossier = data.draw(st.sampled_from(["8", "1", "0", "99"]), "dossier")
    fields = data.draw(st.dictionaries(names.filter(lambda n: '"' not in n and "\r" not in n and "\n" not in n), texts,
                                       max_size=3), "fields")
    files = data.draw(st.dictionaries(st.sampled_from(["file", "documentNo", "other"]),
                                      st.tuples(st.sampled_from(["f.pdf", "", "a b.png"]),
                                                st.sampled_from(["application/pdf", "text/plain", "x"]),
                                                st.binary(max_size=64)), max_size=2), "files")
    answer = claims.send(dossier, {k: v for k, v in fields.items() if "\r" not in v and "\n" not in v}, files)
    assert answer.status_code < 500, answer.get_data(as_text=True)
    body = answer.json
    assert ("error" in body and "client" in body) or "httpCode" in body, body


def test_a_body_that_says_multipart_but_is_not_is_refused(claims):
    answer = claims.api.client.post(f"/dev/claims/v1/contracts/{CLAIMS}/dossiers/8/documents", data=b"\x00garbage",
                                    content_type="multipart/form-data; boundary=zz",
                                    headers={"Authorization": f"Bearer {claims.api.bearer}"})
    assert answer.status_code == 400 and answer.json["error"]["errorCode"] == "1001"
