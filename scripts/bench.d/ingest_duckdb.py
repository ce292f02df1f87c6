"""Run scripts/bench.d/ingest_duckdb.sql: DuckDB doing the work of `samtalebank ingest` on the
same CSV files. Usage: ingest_duckdb.py RAW_DIR OUT_DIR (OUT_DIR is replaced). Prints the rows
written per table."""
import os
import shutil
import sys

import duckdb

here = os.path.dirname(os.path.abspath(__file__))
raw, out = sys.argv[1], sys.argv[2]
shutil.rmtree(out, ignore_errors=True)
os.makedirs(out)
sql = open(os.path.join(here, "ingest_duckdb.sql")).read()
for k, v in {
    "raw": os.path.abspath(raw),
    "out": os.path.abspath(out),
    "data": os.path.join(here, "..", "..", "crates", "model", "data"),
    "key": os.environ.get("SAMTALEBANK_KEY", "bench-key-0123456789abcdef"),
}.items():
    sql = sql.replace("{" + k + "}", v)
con = duckdb.connect()
con.execute(f"SET threads = {os.cpu_count()}")
con.execute(sql)
for t in ("samtaler", "forloeb"):
    n = con.execute(f"SELECT count(*) FROM read_parquet('{out}/{t}/*/*.parquet')").fetchone()[0]
    print(f"{t}: {n} rows")
