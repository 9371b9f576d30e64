"""The bundled OpenAPI contract is valid and covers what the tutorials call."""

from __future__ import annotations

from openapi_spec_validator import validate

from doctract.specs import load_spec, spec_text


def test_contract_is_valid_openapi() -> None:
    validate(load_spec())
    assert load_spec()["openapi"].startswith("3.1")


def test_contract_covers_the_tutorials_endpoints() -> None:
    paths = load_spec()["paths"]
    base = "/data/foundation/flowservice"
    for collection in ("connections", "sourceConnections", "targetConnections", "flows"):
        assert {"get", "post"} <= set(paths[f"{base}/{collection}"])
        name = "flowId" if collection == "flows" else collection[:-1] + "Id"
        item = f"{base}/{collection}/{{{name}}}"
        assert {"get", "patch", "delete"} <= set(paths[item])
        assert "post" in paths[f"{item}/action"]
    for extra in (
        "/connections/{connectionId}/explore",
        "/runs",
        "/connectionSpecs",
        "/connectionSpecs/{connectionSpecId}",
        "/flowSpecs",
        "/flowSpecs/{flowSpecId}",
    ):
        assert base + extra in paths
    assert "post" in paths["/data/foundation/conversion/mappingSets"]


def test_contract_states_the_docs_facts() -> None:
    spec = load_spec()
    schemas = spec["components"]["schemas"]
    assert schemas["IdEtag"]["required"] == ["id", "etag"]
    assert schemas["Etag"]["pattern"] == '^".+"$'
    flows = spec["paths"]["/data/foundation/flowservice/flows/{flowId}"]
    assert set(flows["delete"]["responses"]["204"]) == {"description"}  # no body
    if_match = spec["components"]["parameters"]["IfMatch"]
    assert if_match["required"] is True and if_match["in"] == "header"
    assert set(spec["components"]["securitySchemes"]) == {"bearerAuth", "apiKey", "imsOrg"}
    assert "Assumption" in spec_text()
