"""A property test over the OpenAPI spec with an officer's token: whatever the path ids, query values and JSON
bodies, on SQLite and on PostgreSQL + Redis, the service never answers 5xx."""
from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.inbox.helpers import PASSWORD, case_from_line, staff
from tests.support.server import LiveServer

SKIPPED_PATHS = ("/webhooks/", "/api/auth/token", "/metrics")  # signed by the platforms / rate-limited / ops
EXAMPLES = 600

hostile_text = st.one_of(
    st.sampled_from(["a\x00b", "\ud800", "x\udfffy", "\x00"]),  # what no database column stores, drawn often
    st.text(max_size=30),
    st.sampled_from(["a\x00b", "\x00", "\ud800", "'; DROP TABLE cases; --", "%", "_", "\\", "9" * 40, "-1", "0",
                     "2147483648", "9223372036854775808", "1e309", "NaN", "2025-02-30", "๒๕๖๘", "open", "new",
                     "complaint", "line", "public_works", "true", "<script>alert(1)</script>", " " * 3]),
)
ints = st.one_of(st.integers(min_value=-(2**70), max_value=2**70),
                 st.sampled_from([0, -1, 1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64]))
json_values = st.recursive(
    st.none() | st.booleans() | ints | st.floats(allow_nan=False, allow_infinity=False) | hostile_text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(hostile_text, children, max_size=3),
    max_leaves=6,
)


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, operation) for every operation the test may call."""
    return [(method.upper(), path, op) for path, ops in spec["paths"].items() for method, op in ops.items()
            if not path.startswith(SKIPPED_PATHS)]


def _schema(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """A schema with its $ref resolved."""
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _value(spec: dict[str, Any], schema: dict[str, Any], data: st.DataObject) -> Any:
    """A value that may fit the schema (its type, an enum member) or may not (anything JSON)."""
    schema = _schema(spec, schema)
    if data.draw(st.integers(0, 4)) == 0:
        return data.draw(json_values)
    if "enum" in schema:
        return data.draw(st.sampled_from(schema["enum"]) | hostile_text)
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        return _value(spec, data.draw(st.sampled_from(options)), data)
    kind = schema.get("type")
    if kind == "integer":
        return data.draw(ints)
    if kind == "boolean":
        return data.draw(st.booleans())
    if kind == "number":
        return data.draw(st.floats(allow_nan=False, allow_infinity=False) | ints)
    if kind == "array":
        return [_value(spec, schema.get("items", {}), data) for _ in range(data.draw(st.integers(0, 3)))]
    if kind == "object":
        return {name: _value(spec, prop, data) for name, prop in schema.get("properties", {}).items()
                if name in schema.get("required", ()) or data.draw(st.booleans())}
    return data.draw(hostile_text)


def _request(spec: dict[str, Any], operation: tuple[str, str, dict[str, Any]], case_id: int,
             data: st.DataObject) -> tuple[str, str, dict[str, Any]]:
    """Method, URL and httpx keyword arguments for one generated call."""
    method, path, op = operation
    query: list[tuple[str, str]] = []
    for param in op.get("parameters", []):
        if param["in"] == "path":
            value = data.draw(st.one_of(st.just(case_id), st.just(case_id), ints, hostile_text))
            path = path.replace("{" + param["name"] + "}", quote(str(value), safe="", errors="surrogatepass"))
        elif param["in"] == "query" and data.draw(st.booleans()):
            value = _value(spec, param.get("schema", {}), data)
            query.append((param["name"], value if isinstance(value, str) else str(value)))
    url = path + ("?" + "&".join(f"{quote(k)}={quote(v, safe='', errors='surrogatepass')}" for k, v in query)
                  if query else "")
    kwargs: dict[str, Any] = {}
    content = (op.get("requestBody") or {}).get("content", {})
    if "application/json" in content:
        body = _value(spec, content["application/json"].get("schema", {}), data)
        kwargs["content"] = json.dumps(body).encode()
        kwargs["headers"] = {"content-type": "application/json"}
    elif content:
        kwargs["data"] = {k: str(data.draw(json_values)) for k in ("text", "status", "title")}
    return method, url, kwargs


def test_no_operation_answers_5xx_to_an_officer(make_server, backend: str) -> None:  # type: ignore[no-untyped-def]
    server: LiveServer = make_server(backend)
    case = case_from_line(server, "ไฟถนนดับทั้งซอยค่ะ ซอยสุขใจ 5")
    officer = staff(server, case)["officer"]
    spec = server.client.get("/api/openapi.json").json()
    operations = _operations(spec)
    errors: list[str] = []
    seen: set[str] = set()

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def call(data: st.DataObject) -> None:
        operation = data.draw(st.sampled_from(operations))
        method, url, kwargs = _request(spec, operation, case.id, data)
        headers = {**officer, **kwargs.pop("headers", {})}
        response = server.client.request(method, url, headers=headers, **kwargs)
        seen.add(f"{operation[0]} {operation[1]}")
        if response.status_code >= 500:
            errors.append(f"{method} {url} {kwargs} → {response.status_code} {response.text[:200]}")
        assert response.status_code < 500, errors[-1]

    call()
    assert not errors
    assert len(seen) == len(operations), sorted({f"{m} {p}" for m, p, _ in operations} - seen)


EXTREME_NUMBERS = ("9223372036854775808", "-9223372036854775809", "18446744073709551616", str(2**70), "2147483648",
                   "-2147483649", "-1", "1e309", "NaN", "๙๙๙๙๙๙๙๙๙๙๙๙๙๙๙๙๙๙๙๙")


def _is_integer(spec: dict[str, Any], schema: dict[str, Any]) -> bool:
    """Whether a parameter takes an integer (alone or as one of its options)."""
    schema = _schema(spec, schema)
    return schema.get("type") == "integer" or any(_is_integer(spec, s) for s in schema.get("anyOf", ()))


def test_list_paging_and_numbers_past_any_row_are_refused_not_a_500(make_server, backend: str) -> None:  # type: ignore[no-untyped-def]
    """Issue 21: `offset=9223372036854775808` reached the database and came back as a 500; every numeric query
    parameter of every list endpoint now answers 4xx to numbers no table could hold (and pages say so in Thai)."""
    server: LiveServer = make_server(backend)
    case = case_from_line(server, "ไฟถนนดับทั้งซอยค่ะ ซอยสุขใจ 5")
    officer = staff(server, case)["officer"]
    spec = server.client.get("/api/openapi.json").json()
    checked: list[str] = []
    for method, path, op in _operations(spec):
        if method != "GET" or "{" in path:
            continue
        for param in op.get("parameters", []):
            if param["in"] != "query" or not _is_integer(spec, param.get("schema", {})):
                continue
            for value in EXTREME_NUMBERS:
                response = server.client.get(path, params={param["name"]: value}, headers=officer)
                assert 400 <= response.status_code < 500, f"{path}?{param['name']}={value} → {response.status_code}"
            checked.append(f"{path} {param['name']}")
    assert {"/api/cases offset", "/api/cases limit", "/api/analytics/topics limit"} <= set(checked), checked

    asked = server.client.get("/api/cases", params={"offset": "9223372036854775808"}, headers=officer)
    assert asked.status_code == 422, asked.text
    last = server.client.get("/api/cases", params={"offset": str(2**31 - 1)}, headers=officer)  # the largest allowed
    assert last.status_code == 200 and last.json()["items"] == [] and last.json()["total"] == 1

    page = httpx.Client(base_url=server.url, timeout=30)
    login = page.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
    assert token is not None
    assert page.post("/login", data={"username": "somchai@example.go.th", "password": PASSWORD,
                                      "csrf_token": token.group(1)}).status_code == 303
    for value in ("9223372036854775808", "0", "-5", "สอง"):
        refused = page.get("/inbox", params={"page": value})
        assert refused.status_code == 422 and "ไม่ถูกต้อง" in refused.text, value
    far = page.get("/inbox", params={"page": str(2**31 - 1)})  # past the last page: the last page is shown
    assert far.status_code == 200 and case.ticket in far.text
    for value in ("9223372036854775808", "-1"):  # a register entry's id in the URL, as on the case pages
        assert page.get(f"/reports/improvements/{value}").status_code == 422
    page.close()
