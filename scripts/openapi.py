#!/usr/bin/env python3
"""Write crates/server/data/openapi.json: the PxWeb API 2.0 specification
(docs/api/pxapi2/PxAPI-2.yml) with this server's own endpoints added, served at
/api/v2/openapi.json.

    .venv/bin/python scripts/openapi.py          # write it
    .venv/bin/python scripts/openapi.py --check  # exit 1 if it is out of date

Examples that point into other files are left out (a served document is one file).
"""
import json
import pathlib
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
SPEC = ROOT / "docs/api/pxapi2/PxAPI-2.yml"
OUT = ROOT / "crates/server/data/openapi.json"

PROBLEM = {"$ref": "#/components/responses/ErrorResponse400"}

OURS = {
    "/benchmark/gap": {
        "get": {
            "tags": ["Samtalebank"],
            "summary": "The gap between a group of municipalities and the rest of the country.",
            "description": "Samtalebank's own endpoint, from table BENCH01: per period the "
            "group's value, the rest of the country's and the difference in percentage points.",
            "operationId": "GetBenchmarkGap",
            "parameters": [
                {"$ref": "#/components/parameters/lang"},
                {"name": "group", "in": "query", "required": True, "schema": {"type": "string"},
                 "description": "Municipality codes (101,147), a rule (lowest:15:pct13:2019M11) "
                 "or a saved group (@name)."},
                {"name": "indicator", "in": "query", "required": True,
                 "schema": {"type": "string", "enum": ["digital_pct", "pct6", "pct13", "intensitet"]}},
                {"name": "ydelse", "in": "query", "schema": {"type": "string"}},
                {"name": "periode", "in": "query",
                 "schema": {"type": "string", "enum": ["maaned", "kvartal", "aar"]}},
                {"name": "outputFormat", "in": "query",
                 "schema": {"type": "string", "enum": ["json-stat2", "csv"]}},
            ],
            "responses": {
                "200": {"description": "JSON-stat 2.0 (tid × maal) or CSV",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Dataset"}},
                                    "text/csv": {"schema": {"type": "string"}}}},
                "400": PROBLEM,
                "404": {"$ref": "#/components/responses/ErrorResponse404"},
                "429": {"$ref": "#/components/responses/ErrorResponse429"},
            },
        }
    },
    "/savings": {
        "get": {
            "tags": ["Samtalebank"],
            "summary": "The savings from digital conversations (the minister's calculation, seed 003).",
            "description": "Samtalebank's own endpoint, from the published SAMT01 counts: per benefit the "
            "conversations in scope, the observed and the assumed digital share, the saving and the "
            "incremental saving as a low–high range in DKK, the total, what 85–130 million DKK implies, "
            "a sensitivity table and every assumption. Method: docs/savings.md.",
            "operationId": "GetSavings",
            "parameters": [
                {"name": "year", "in": "query", "required": True, "schema": {"type": "string"}},
                {"name": "area", "in": "query", "schema": {"type": "string", "default": "000"}},
                {"name": "scope", "in": "query", "schema": {"type": "string", "enum": ["6m", "all"]}},
                {"name": "scenario", "in": "query",
                 "schema": {"type": "string", "enum": ["agreement", "all-digital", "observed", "custom"]}},
                {"name": "shares", "in": "query", "schema": {"type": "string"},
                 "description": "With scenario=custom: ydelse:per cent, comma-separated."},
                {"name": "minutes", "in": "query", "schema": {"type": "string", "default": "10-15"}},
                {"name": "hourlyCost", "in": "query", "schema": {"type": "number", "default": 430}},
                {"name": "outputFormat", "in": "query", "schema": {"type": "string", "enum": ["json", "csv"]}},
            ],
            "responses": {
                "200": {"description": "The calculation",
                        "content": {"application/json": {"schema": {"type": "object",
                            "required": ["release", "year", "area", "scope", "scenario", "minutes",
                                         "hourly_cost_dkk", "groups", "total", "implied", "assumptions"]}},
                                    "text/csv": {"schema": {"type": "string"}}}},
                "400": PROBLEM,
                "429": {"$ref": "#/components/responses/ErrorResponse429"},
            },
        }
    },
    "/bulk": {
        "get": {
            "tags": ["Samtalebank"],
            "summary": "Every table of the release whole, one file each, for machines.",
            "description": "Samtalebank's own endpoint: per table its bulk files (Parquet and gzip-compressed "
            "CSV, written when the release was built: every non-zero cell with codes, Danish labels, "
            "every measure and its status), each with its path, size and SHA-256. Columns: docs/api.md.",
            "operationId": "ListBulkFiles",
            "responses": {
                "200": {"description": "The bulk files of the current release",
                        "content": {"application/json": {"schema": {"type": "object",
                            "required": ["release", "updated", "tables"],
                            "properties": {
                                "release": {"type": "string"},
                                "updated": {"type": "string"},
                                "tables": {"type": "array", "items": {"type": "object",
                                    "required": ["id", "label", "contentHash", "files"],
                                    "properties": {
                                        "id": {"type": "string"},
                                        "label": {"type": "string"},
                                        "contentHash": {"type": "string"},
                                        "files": {"type": "array", "items": {"type": "object",
                                            "required": ["format", "href", "bytes", "sha256"],
                                            "properties": {
                                                "format": {"type": "string", "enum": ["parquet", "csv.gz"]},
                                                "href": {"type": "string"},
                                                "bytes": {"type": "integer"},
                                                "sha256": {"type": "string"}}}}}}}}}}}},
                "429": {"$ref": "#/components/responses/ErrorResponse429"},
            },
        }
    },
    "/bulk/{file}": {
        "get": {
            "tags": ["Samtalebank"],
            "summary": "One bulk file: TABLE.parquet or TABLE.csv.gz.",
            "operationId": "GetBulkFile",
            "parameters": [
                {"name": "file", "in": "path", "required": True, "schema": {"type": "string"},
                 "description": "The table's id and the format: SAMT01.parquet, SAMT01.csv.gz."},
            ],
            "responses": {
                "200": {"description": "The file (ranges are served: 206)",
                        "content": {"application/vnd.apache.parquet": {"schema": {"type": "string", "format": "binary"}},
                                    "application/gzip": {"schema": {"type": "string", "format": "binary"}}}},
                "404": {"$ref": "#/components/responses/ErrorResponse404"},
                "429": {"$ref": "#/components/responses/ErrorResponse429"},
            },
        }
    },
    "/openapi.json": {
        "get": {
            "tags": ["Samtalebank"],
            "summary": "This document.",
            "operationId": "GetOpenApi",
            "responses": {"200": {"description": "OpenAPI 3.0",
                                  "content": {"application/json": {"schema": {"type": "object"}}}}},
        }
    },
}


def drop_external_examples(node):
    if isinstance(node, dict):
        ex = node.get("examples")
        if isinstance(ex, dict):
            for k in [k for k, v in ex.items() if isinstance(v, dict) and "$ref" in v
                      and not v["$ref"].startswith("#")]:
                del ex[k]
            if not ex:
                del node["examples"]
        for v in node.values():
            drop_external_examples(v)
    elif isinstance(node, list):
        for v in node:
            drop_external_examples(v)


def build():
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    drop_external_examples(spec)
    spec["servers"] = [{"url": "/api/v2"}]
    spec["info"]["description"] = (spec["info"].get("description", "") +
                                   "\nServed by Samtalebank, with its own endpoints under the tag Samtalebank.\n")
    spec.setdefault("tags", []).append(
        {"name": "Samtalebank", "description": "Samtalebank's own endpoints."})
    spec["paths"].update(OURS)
    # Our output format beyond the specification's: SDMX-CSV 2.0 (docs/api.md).
    spec["components"]["schemas"]["OutputFormatType"]["enum"].append("sdmx-csv")
    for path in ["/tables/{id}/data", "/savedqueries/{id}/data"]:
        for op in spec["paths"][path].values():
            if isinstance(op, dict) and "responses" in op:
                op["responses"]["200"]["content"]["application/vnd.sdmx.data+csv"] = {
                    "schema": {"type": "string"}}
    # Saving a query has limits of its own (docs/api.md).
    problem = lambda desc: {"description": desc, "content": {"application/problem+json": {
        "schema": {"$ref": "#/components/schemas/Problem"}}}}
    saved = spec["paths"]["/savedqueries"]["post"]["responses"]
    saved.setdefault("413", problem("The saved query is larger than 64 KiB."))
    saved.setdefault("503", problem("The server keeps as many saved queries as it allows."))
    return json.dumps(spec, ensure_ascii=False, indent=1, sort_keys=False) + "\n"


def main():
    text = build()
    if "--check" in sys.argv:
        if OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is out of date: run scripts/openapi.py", file=sys.stderr)
            sys.exit(1)
        return
    OUT.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
