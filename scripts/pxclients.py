#!/usr/bin/env python3
"""The PxWeb API as its real clients use it, against a running server.

    .venv/bin/python scripts/pxclients.py clients BASE      # pxwebpy, pxstatspy, pyaxis, DuckDB
    .venv/bin/python scripts/pxclients.py schemathesis BASE [--max-examples N]

BASE is the server's root (http://127.0.0.1:PORT). Prints one JSON object; exits 1 if a check
fails. `clients` reads one municipality × 24 months of SAMT01 with each client and compares the
numbers with the API's own JSON-stat; `schemathesis` runs schemathesis against the official
specification (docs/api/pxapi2/PxAPI-2.yml) with the checks not_a_server_error,
status_code_conformance, content_type_conformance and response_schema_conformance.

Where the specification contradicts itself, the copy given to schemathesis is corrected, and
each correction is listed in SPEC_FIXES below with its reason.
"""
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
SPEC = ROOT / "docs/api/pxapi2/PxAPI-2.yml"

KOMMUNE = "730"  # Randers


def get(url):
    with urllib.request.urlopen(url, timeout=60) as r:
        return r.read()


def months(base):
    meta = json.loads(get(f"{base}/api/v2/tables/SAMT01/metadata"))
    codes = sorted(meta["dimension"]["tid"]["category"]["index"],
                   key=lambda c: meta["dimension"]["tid"]["category"]["index"][c])
    return [c for c in codes if "M" in c][-24:]


def reference(base, tid):
    """The API's own JSON-stat for the selection: {(tid, maal): value}."""
    url = (f"{base}/api/v2/tables/SAMT01/data?valuecodes[omraade]={KOMMUNE}"
           f"&valuecodes[tid]={','.join(tid)}&valuecodes[maal]=antal,digital_pct")
    ds = json.loads(get(url))
    ids, size = ds["id"], ds["size"]
    cats = [sorted(ds["dimension"][i]["category"]["index"],
                   key=lambda c, i=i: ds["dimension"][i]["category"]["index"][c]) for i in ids]
    out = {}
    import itertools
    for n, combo in enumerate(itertools.product(*cats)):
        key = dict(zip(ids, combo))
        out[(key["tid"], key["maal"])] = ds["value"][n]
    assert len(out) == 24 * 2, len(out)
    return out, ds


def check_pxwebpy(base, tid, ref, report):
    import pandas as pd
    from pxweb import PxApi
    api = PxApi(f"{base}/api/v2", language="en")
    tables = api.all_tables()
    report["pxwebpy_tables"] = sorted(t["id"] for t in tables)
    meta = api.get_table_metadata("SAMT01")
    report["pxwebpy_metadata_label"] = meta["label"]
    ext = meta.get("extension", {})
    report["pxwebpy_next_update"] = ext.get("px", {}).get("nextUpdate")
    report["pxwebpy_update_frequency"] = ext.get("px", {}).get("updateFrequency")
    report["pxwebpy_contact"] = [c.get("raw") for c in ext.get("contact", [])]
    variables = api.get_table_variables("SAMT01")
    report["pxwebpy_variables"] = list(variables)
    rows = api.get_table_data("SAMT01", value_codes={
        "omraade": [KOMMUNE], "tid": tid, "maal": ["antal", "digital_pct"]}, show="code")
    df = pd.DataFrame(rows)
    # Columns are the dimension labels; with show=code the values are codes.
    tid_col = [c for c in df.columns if df[c].astype(str).isin(tid).all()][0]
    maal_col = [c for c in df.columns if df[c].astype(str).isin(["antal", "digital_pct"]).all()][0]
    got = {(r[tid_col], r[maal_col]): (None if pd.isna(r["value"]) else r["value"])
           for _, r in df.iterrows()}
    mism = [k for k in ref if not same(got.get(k), ref[k])]
    report["pxwebpy_values"] = len(df)
    report["pxwebpy_mismatches"] = len(mism)
    report["pxwebpy_sample"] = [list(k) + [got.get(k), ref[k]] for k in mism[:3]]


def same(a, b):
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-9


def check_pxstatspy(base, tid, ref, report):
    """pxstatspy's own DataFrame builder (get_data_as_dataframe) looks for SCB's measure
    variable `ContentsCode`, which no other bank has; its data call with CSV output, read by
    pandas, is how a user gets a DataFrame from this bank."""
    import io
    import pandas as pd
    from pxstatspy import PxAPI, PxAPIConfig
    from pxstatspy.pxapi import OutputFormat
    api = PxAPI(PxAPIConfig(base_url=f"{base}/api/v2", language="da"))
    found = api.find_tables(query="samtaleform", display=False)
    report["pxstatspy_found"] = [t["id"] for t in found["tables"]]
    meta = api.get_table_metadata("SAMT01", output_format="json-stat2")
    report["pxstatspy_dimensions"] = meta["id"]
    text = api.get_table_data("SAMT01", value_codes={
        "omraade": [KOMMUNE], "tid": tid, "maal": ["antal", "digital_pct"]},
        output_format=OutputFormat.CSV)
    df = pd.read_csv(io.StringIO(text), dtype={"tid": str, "omraade": str}, na_values=["..", ".", "-"])
    got = {}
    for _, r in df.iterrows():
        for m in ("antal", "digital_pct"):
            got[(r["tid"], m)] = None if pd.isna(r[m]) else r[m]
    mism = [k for k in ref if not same(got.get(k), ref[k])]
    report["pxstatspy_values"] = len(got)
    report["pxstatspy_mismatches"] = len(mism)
    report["pxstatspy_sample"] = [list(k) + [got.get(k), ref[k]] for k in mism[:3]]


def check_px(base, tid, ref, report):
    import pandas as pd
    from pyaxis import pyaxis
    url = (f"{base}/api/v2/tables/SAMT01/data?valuecodes[omraade]={KOMMUNE}"
           f"&valuecodes[tid]={','.join(tid)}&valuecodes[maal]=antal,digital_pct&outputFormat=px")
    with tempfile.NamedTemporaryFile(suffix=".px", delete=False) as f:
        f.write(get(url))
        path = f.name
    px = pyaxis.parse(path, encoding="utf-8")
    os.unlink(path)
    df, meta = px["DATA"], px["METADATA"]
    # Values are texts in PX: map the measure texts and the time texts (= codes) back.
    maal_texts = meta["VALUES(mål)"]
    maal_codes = meta["CODES(mål)"]
    to_code = dict(zip(maal_texts, maal_codes))
    got = {}
    for _, r in df.iterrows():
        v = r["DATA"]
        got[(r["tid"], to_code[r["mål"]])] = None if pd.isna(v) or v in ("..", ".", "-") else float(v)
    mism = [k for k in ref if not same(got.get(k), ref[k])]
    report["px_values"] = len(df)
    report["px_mismatches"] = len(mism)
    report["px_sample"] = [list(k) + [got.get(k), ref[k]] for k in mism[:3]]
    report["px_matrix"] = (meta.get("MATRIX") or [None])[0]
    report["px_next_update"] = (meta.get("NEXT-UPDATE") or [None])[0]
    report["px_contact"] = sorted({v[0] for k, v in meta.items() if k.startswith("CONTACT")})


def check_parquet(base, tid, ref, report):
    import duckdb
    url = (f"{base}/api/v2/tables/SAMT01/data?valuecodes[omraade]={KOMMUNE}"
           f"&valuecodes[tid]={','.join(tid)}&valuecodes[maal]=antal,digital_pct&outputFormat=parquet")
    with tempfile.NamedTemporaryFile(suffix=".parquet", delete=False) as f:
        f.write(get(url))
        path = f.name
    rows = duckdb.sql(f"select tid, antal, digital_pct from read_parquet('{path}')").fetchall()
    os.unlink(path)
    got = {}
    for t, a, d in rows:
        got[(t, "antal")] = a
        got[(t, "digital_pct")] = d
    mism = [k for k in ref if not same(got.get(k), ref[k])]
    report["parquet_values"] = 2 * len(rows)
    report["parquet_mismatches"] = len(mism)


def clients(base):
    report = {}
    tid = months(base)
    ref, _ = reference(base, tid)
    report["cells"] = len(ref)
    report["published"] = sum(v is not None for v in ref.values())
    import contextlib
    for name, f in [("pxwebpy", check_pxwebpy), ("pxstatspy", check_pxstatspy),
                    ("px", check_px), ("parquet", check_parquet)]:
        try:
            # The clients print progress: keep standard output for the report.
            with contextlib.redirect_stdout(sys.stderr):
                f(base, tid, ref, report)
        except Exception as e:  # noqa: BLE001 - the report names the client that failed
            import traceback
            report[f"{name}_error"] = f"{type(e).__name__}: {e}\n{traceback.format_exc()[-1500:]}"
    ok = all(not k.endswith("_error") for k in report) and all(
        report.get(f"{c}_mismatches") == 0 for c in ("pxwebpy", "pxstatspy", "px", "parquet"))
    report["ok"] = ok
    print(json.dumps(report, default=str))
    sys.exit(0 if ok else 1)


# Corrections to the specification's own contradictions, given to schemathesis only.
SPEC_FIXES = [
    ("VariableSelection requires 'values', a property it does not define (it defines "
     "'valueCodes', which the reference server and every client use): required is "
     "variableCode and valueCodes",
     lambda s: s["components"]["schemas"]["VariableSelection"].__setitem__(
         "required", ["variableCode", "valueCodes"])),
    ("Table.updated and the JSON-stat 'updated' say format date-time but their pattern allows "
     "a date only; JSON-stat 2.0 and the reference server send an ISO 8601 date-time: the "
     "pattern is dropped",
     lambda s: [s["components"]["schemas"][n].pop("pattern", None)
                for n in ("updated",)] and
     s["components"]["schemas"]["Table"]["properties"]["updated"].pop("pattern", None)),
    ("ListAllTables documents only 200, but a page past the end is 404 and a page number or "
     "size that is not a whole number at least 1 is 400 in the reference server: both added",
     lambda s: s["paths"]["/tables"]["get"]["responses"].update({
         "400": {"$ref": "#/components/responses/ErrorResponse400"},
         "404": {"$ref": "#/components/responses/ErrorResponse404"}})),
    ("The data operations' 200 response gives application/json the schema `type: string`, "
     "but JSON-stat 2.0 and json-px are JSON objects; and it lists application/json, "
     "text/plain, application/xml and application/octet-stream only, while the formats the "
     "same specification names are text/csv, text/html and "
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet: application/json is "
     "a Dataset or a json-px object, and the three types are added",
     lambda s: [op["responses"]["200"]["content"].update({
         "application/json": {"schema": {"anyOf": [
             {"$ref": "#/components/schemas/Dataset"},
             {"type": "object", "required": ["columns", "data", "metadata"]}]}},
         "text/csv": {"schema": {"type": "string"}},
         "text/html": {"schema": {"type": "string"}},
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
             {"schema": {"type": "string", "format": "binary"}}})
                for op in (s["paths"]["/tables/{id}/data"]["get"],
                           s["paths"]["/tables/{id}/data"]["post"],
                           s["paths"]["/savedqueries/{id}/data"]["get"])]),
]


def schemathesis_run(base, max_examples):
    import yaml
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    for _, fix in SPEC_FIXES:
        fix(spec)
    # Not a correction: ids that exist here, so that the operations are tested beyond 404.
    for path, example in (("/codelists/{id}", "agg_region"), ("/tables/{id}", "SAMT01"),
                          ("/tables/{id}/metadata", "SAMT02"),
                          ("/tables/{id}/defaultselection", "SAMT03"),
                          ("/tables/{id}/data", "SAMT01")):
        for op in spec["paths"][path].values():
            op["parameters"] = [p for p in op.get("parameters", [])
                                if p != {"$ref": "#/components/parameters/id"}]
            op["parameters"].append({"name": "id", "in": "path", "required": True,
                                     "schema": {"type": "string"}, "example": example})
    # External example files are not needed for testing.
    text = json.dumps(spec)
    with tempfile.TemporaryDirectory() as d:
        p = pathlib.Path(d) / "pxapi2.json"
        p.write_text(text.replace('"$ref": "./examplesAsYml/', '"x-example-file": "'),
                     encoding="utf-8")
        cmd = [sys.executable, "-m", "schemathesis.cli", "run", str(p),
               "--url", f"{base}/api/v2",
               "--checks", "not_a_server_error,status_code_conformance,"
               "content_type_conformance,response_schema_conformance",
               "--max-examples", str(max_examples),
               "--phases", "examples,coverage,fuzzing",
               "--no-color", "--seed", "1",
               "--request-timeout", "30"]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=d)
    tail = out.stdout[-6000:]
    report = {"ok": out.returncode == 0, "returncode": out.returncode,
              "fixes": [r for r, _ in SPEC_FIXES], "output": tail, "stderr": out.stderr[-2000:]}
    print(json.dumps(report))
    sys.exit(0 if out.returncode == 0 else 1)


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    what, base = sys.argv[1], sys.argv[2].rstrip("/")
    if what == "clients":
        clients(base)
    elif what == "schemathesis":
        n = 25
        if "--max-examples" in sys.argv:
            n = int(sys.argv[sys.argv.index("--max-examples") + 1])
        schemathesis_run(base, n)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
