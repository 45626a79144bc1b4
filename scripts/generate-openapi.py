#!/usr/bin/env python3
"""Regenerates the OpenAPI 3.1 description of the JSON mapping from the Thrift IDL.

    scripts/generate-openapi.py           write switchboard-api/src/main/resources/dev/switchboard/api/openapi.json
    scripts/generate-openapi.py --check   fail when the committed file differs from a fresh generation

The IDL is the source of truth: every struct the service's calls take or answer becomes a schema with the IDL's
field names, requiredness and doc comments; the JSON mapping's rules (docs/protocol.md, "JSON") give the types.
OpenApiMatchesIdlTest checks the committed file against the generated Thrift classes, so the two cannot drift.
Standard library only.
"""

from __future__ import annotations

import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
IDL = ROOT / "switchboard-protocol/src/main/thrift/switchboard.thrift"
OUT = ROOT / "switchboard-api/src/main/resources/dev/switchboard/api/openapi.json"

HTTP_STATUS = {
    "UNAUTHENTICATED": "401", "FORBIDDEN": "403", "INVALID_REQUEST": "400", "OUT_OF_SEQUENCE": "409",
    "SESSION_LOST": "410", "BUSY": "429", "DRAINING": "503", "TOPIC_NOT_FOUND": "404",
    "PAYLOAD_TOO_LARGE": "413", "UNAVAILABLE": "503", "INTERNAL": "500",
}


def clean(doc: str | None) -> str | None:
    if not doc:
        return None
    lines = [re.sub(r"^\s*\*?\s?", "", line) for line in doc.strip().splitlines()]
    return " ".join(line.strip() for line in lines if line.strip()) or None


def parse(text: str):
    """(enums, structs, service calls) of the IDL: enough Thrift for this file, not a general parser."""
    enums, structs, calls = {}, {}, []
    token = re.compile(r"(/\*\*(?P<doc>.*?)\*/)|(?P<kind>enum|struct|exception|union)\s+(?P<name>\w+)\s*\{(?P<body>.*?)\n\}"
                       r"|service\s+\w+\s*\{(?P<service>.*?)\n\}", re.S)
    doc = None
    for m in token.finditer(re.sub(r"//[^\n]*", "", text)):
        if m.group("doc") is not None:
            doc = m.group("doc")
            continue
        if m.group("service") is not None:
            for call in re.finditer(r"(\w+)\s+(\w+)\(1:\s*(\w+)\s+request\)", m.group("service")):
                calls.append({"name": call.group(2), "request": call.group(3), "response": call.group(1)})
            doc = None
            continue
        kind, name, body = m.group("kind"), m.group("name"), m.group("body")
        if kind == "enum":
            enums[name] = {"doc": clean(doc), "values": re.findall(r"(\w+)\s*=\s*\d+", re.sub(r"/\*\*.*?\*/", "", body, flags=re.S))}
        else:
            fields = []
            field_doc = None
            for f in re.finditer(r"(/\*\*(?P<doc>.*?)\*/)|(?P<id>\d+):\s*(?P<req>required|optional)?\s*(?P<type>[\w<>, ]+?)\s+(?P<name>\w+)\s*,", body, re.S):
                if f.group("doc") is not None:
                    field_doc = f.group("doc")
                    continue
                fields.append({"name": f.group("name"), "type": f.group("type").replace(" ", ""),
                               "required": f.group("req") == "required", "doc": clean(field_doc)})
                field_doc = None
            structs[name] = {"doc": clean(doc), "fields": fields, "kind": kind}
        doc = None
    return enums, structs, calls


def schema_of(type_: str, enums, structs) -> dict:
    if type_ == "i32":
        return {"type": "integer", "format": "int32"}
    if type_ == "i64":
        return {"type": "integer", "format": "int64"}
    if type_ == "bool":
        return {"type": "boolean"}
    if type_ == "string":
        return {"type": "string"}
    if type_ == "binary":
        return {"type": "string", "contentEncoding": "base64"}
    if type_ in enums or type_ in structs:
        return {"$ref": "#/components/schemas/" + type_}
    m = re.fullmatch(r"list<(.+)>", type_)
    if m:
        return {"type": "array", "items": schema_of(m.group(1), enums, structs)}
    m = re.fullmatch(r"map<string,(.+)>", type_)
    if m:
        return {"type": "object", "additionalProperties": schema_of(m.group(1), enums, structs)}
    raise SystemExit("no JSON form for Thrift type " + type_)


def struct_schema(name: str, struct, enums, structs, requests: set) -> dict:
    props, required = {}, []
    for f in struct["fields"]:
        s = schema_of(f["type"], enums, structs)
        if f["doc"]:
            s = {**s, "description": f["doc"]} if "$ref" not in s else {"$ref": s["$ref"], "description": f["doc"]}
        props[f["name"]] = s
        if f["required"]:
            required.append(f["name"])
    schema = {"type": "object"}
    if struct["doc"]:
        schema["description"] = struct["doc"]
    if name == "Event":
        # The JSON mapping's text forms (docs/protocol.md, "JSON"): exactly one of payload/text.
        props["text"] = {"type": "string", "description": "the payload as UTF-8 text (instead of payload)"}
        props["keyText"] = {"type": "string", "description": "the key as UTF-8 text (instead of key)"}
        props["headers"] = {"type": "object", "additionalProperties": {"type": "string"},
                            "description": (props["headers"].get("description", "") +
                                            " In JSON: values as UTF-8 text; see headersBase64.").strip()}
        props["headersBase64"] = {"type": "object",
                                  "additionalProperties": {"type": "string", "contentEncoding": "base64"},
                                  "description": "header values that are not text, base64"}
        required = [r for r in required if r != "payload"]
        schema["oneOf"] = [{"required": ["payload"]}, {"required": ["text"]}]
    schema["properties"] = props
    if required:
        schema["required"] = required
    if name in requests:
        schema["additionalProperties"] = False
    return schema


def generate() -> str:
    enums, structs, calls = parse(IDL.read_text(encoding="utf-8"))
    requests = {c["request"] for c in calls} | {"Event"}
    reachable, todo = set(), [c["request"] for c in calls] + [c["response"] for c in calls]
    while todo:
        name = todo.pop()
        if name in reachable or name not in structs:
            continue
        reachable.add(name)
        for f in structs[name]["fields"]:
            todo.extend(re.findall(r"\w+", f["type"]))
    schemas = {}
    for name in sorted(reachable):
        schemas[name] = struct_schema(name, structs[name], enums, structs, requests)
    for name in sorted(enums):
        if name == "ErrorCode" or any(name in f["type"] for s in reachable for f in structs[s]["fields"]):
            schemas[name] = {"type": "string", "enum": enums[name]["values"]}
            if enums[name]["doc"]:
                schemas[name]["description"] = enums[name]["doc"]
    error = structs["SwitchboardError"]
    schemas["Error"] = {
        "type": "object",
        "description": "Every error of the JSON mapping: SwitchboardError, plus whether the same request may be sent again.",
        "properties": {
            "code": {"$ref": "#/components/schemas/ErrorCode"},
            "message": {"type": "string", "description": next(f["doc"] for f in error["fields"] if f["name"] == "message")},
            "retriable": {"type": "boolean", "description": "true when sending the very same request again later may succeed"},
            "expectedSeq": {"type": "integer", "format": "int64",
                            "description": next(f["doc"] for f in error["fields"] if f["name"] == "expectedSeq")},
            "retryAfterMs": {"type": "integer", "format": "int64",
                             "description": next(f["doc"] for f in error["fields"] if f["name"] == "retryAfterMs")},
        },
        "required": ["code", "message", "retriable"],
    }
    mac_headers = [
        {"name": "sb-timestamp", "in": "header", "required": True, "schema": {"type": "string", "pattern": "^[0-9]{1,19}$"},
         "description": "the client's clock, epoch milliseconds"},
        {"name": "sb-nonce", "in": "header", "required": True, "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{16,64}$"},
         "description": "never used before by this session"},
        {"name": "sb-mac", "in": "header", "required": True, "schema": {"type": "string"},
         "description": "base64url (unpadded) HMAC-SHA256 with the session's macKey over the canonical request (docs/protocol.md, 'Request MACs')"},
    ]
    error_response = {"description": "an error; the status follows the code (docs/protocol.md, 'JSON')",
                      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    paths = {}
    for call in calls:
        op = {
            "operationId": call["name"],
            "summary": call["name"],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/" + call["request"]}}}},
            "responses": {
                "200": {"description": "the call's answer",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/" + call["response"]}}}},
            },
        }
        for status in sorted(set(HTTP_STATUS.values()) | {"405", "408", "415"}):
            op["responses"][status] = {"$ref": "#/components/responses/Error"}
        if call["name"] == "allocate":
            op["security"] = [{"bearer": []}]
        else:
            op["security"] = []
            op["parameters"] = mac_headers
        paths["/v1/json/" + call["name"]] = {"post": op}
    doc = {
        "openapi": "3.1.0",
        "info": {
            "title": "Switchboard JSON API",
            "version": "1",
            "description": "The JSON mapping of the Switchboard session protocol, 1:1 with switchboard.thrift (generated from it by scripts/generate-openapi.py). See docs/protocol.md.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": {"Error": error_response},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                                           "description": "an OAuth2 access token whose scopes grant the topic (switchboard:read:<glob>, switchboard:write:<glob>)"}},
        },
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    text = generate()
    if sys.argv[1:] == ["--check"]:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print("openapi.json is stale: run scripts/generate-openapi.py", file=sys.stderr)
            return 1
        print("openapi.json is current")
        return 0
    OUT.write_text(text, encoding="utf-8")
    print("wrote", OUT.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
