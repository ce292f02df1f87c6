#!/usr/bin/env python3
"""The independent oracle: run the SQL twins (sql/*.sql) on DuckDB over a Parquet store and
compare them with a release, cell by cell.

  oracle.py compare --store S --release R [--table SAMT01] [--threshold 5]  -> JSON summary of mismatches
  oracle.py sample  --store S --n 40 [--seed 1]              -> JSON list of twin cells, with pct and digital_pct
  oracle.py time    --store S [--runs 1]                     -> seconds per run of the SAMT01 twin

The store is read through three views (samtaler, forloeb, kommuner), exactly as sql/README.md
tells other engines to do.
"""
import argparse
import json
import os
import sys
import time

import duckdb

SQL_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sql")
KEYS = "omraade, tid, ydelse, samtaletype, samtaleform, varighed"


def connect(store, threads=None):
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    con.execute(f"CREATE VIEW samtaler AS SELECT * FROM read_parquet('{store}/samtaler/*/*.parquet')")
    con.execute(f"CREATE VIEW forloeb AS SELECT * FROM read_parquet('{store}/forloeb/*/*.parquet')")
    con.execute(f"CREATE VIEW kommuner AS SELECT * FROM read_parquet('{store}/ref/kommuner.parquet')")
    return con


def twin_sql(table):
    with open(os.path.join(SQL_DIR, f"{table}.sql"), encoding="utf-8") as f:
        return f.read()


TABLES = {
    "SAMT01": (["omraade", "tid", "ydelse", "samtaletype", "samtaleform", "varighed"], ["antal"]),
    "SAMT02": (["omraade", "tid", "ydelse"], ["startet", "varet6", "samtale6", "varet13", "samtale13"]),
    "SAMT03": (["omraade", "tid", "ydelse"], ["personer", "med2"]),
    "BENCH01": (["indikator", "omraade", "tid", "ydelse"], ["taeller", "naevner"]),
}

# Tables whose twin reads the other twins' outputs.
DERIVED = {"BENCH01": ["SAMT01", "SAMT02", "SAMT03"],
}


def compare(args):
    """Every cell of the twin against the release: equal counts, or suppressed (null) exactly
    when the twin's count is 1..threshold-1 (BENCH01's digital numerator also when SAMT01's
    phone or video count is); no cell on one side only. For releases built with
    --protection primary (the others hide more; scripts/attack.py checks those)."""
    table = args.table.upper()
    keys, values = TABLES[table]
    con = connect(args.store)
    for dep in DERIVED.get(table, []):
        con.execute(f"CREATE TABLE {dep.lower()} AS " + twin_sql(dep))
    t = int(args.threshold)
    if table == "BENCH01":
        # The digital share's numerator is hidden when SAMT01 hides the phone or video count.
        con.execute(f"""CREATE TABLE twin AS
            WITH d AS (
                SELECT omraade, tid, ydelse,
                       max(CASE WHEN samtaleform IN ('telefon', 'video') AND antal BETWEEN 1 AND {t - 1}
                           THEN 1 ELSE 0 END) AS small
                FROM samt01 WHERE samtaletype = 'tot' AND varighed = 'tot' GROUP BY ALL)
            SELECT b.*, CASE WHEN b.indikator = 'digital_pct' THEN coalesce(d.small, 0) ELSE 0 END
                   AS _small, 1 AS _in_twin
            FROM ({twin_sql(table)}) b LEFT JOIN d USING (omraade, tid, ydelse)""")
    else:
        con.execute("CREATE TABLE twin AS SELECT *, 0 AS _small, 1 AS _in_twin FROM (" + twin_sql(table) + ")")
    con.execute(f"CREATE VIEW rel AS SELECT *, 1 AS _in_rel FROM read_parquet('{args.release}/{table}/data-*.parquet')")

    def hidden(v):
        extra = " OR twin._small = 1" if v == "taeller" else ""
        return f"(twin.{v} BETWEEN 1 AND {t - 1}{extra})"
    ok = " AND ".join(
        f"COALESCE((NOT {hidden(v)} AND rel.{v} = twin.{v}) OR ({hidden(v)} AND rel.{v} IS NULL), false)"
        for v in values)
    k = ", ".join(keys)
    bad = f"""
        FROM twin FULL OUTER JOIN rel USING ({k})
        WHERE twin._in_twin IS NULL OR rel._in_rel IS NULL OR NOT ({ok})"""
    first = values[0]
    total_filter = " AND ".join(
        ["omraade = '000'", "tid NOT LIKE '%K%'", "tid NOT LIKE '%M%'"]
        + [f"{c} = 'tot'" for c in keys if c not in ("omraade", "tid")])
    out = {
        "table": table,
        "twin_cells": con.execute("SELECT count(*) FROM twin").fetchone()[0],
        "twin_total": con.execute(f"SELECT sum({first}) FROM twin WHERE {total_filter}").fetchone()[0],
        "conversations": con.execute("SELECT count(*) FROM samtaler").fetchone()[0],
        "release_rows": con.execute("SELECT count(*) FROM rel").fetchone()[0],
        "suppressed_in_twin": con.execute(
            "SELECT count(*) FROM twin WHERE " + " OR ".join(f"({v} BETWEEN 1 AND {t - 1})" for v in values)).fetchone()[0],
        "mismatches": con.execute("SELECT count(*) " + bad).fetchone()[0],
        "examples": [list(map(str, r)) for r in con.execute(
            f"SELECT {k}, " + ", ".join(f"twin.{v}, rel.{v}" for v in values) + bad + " LIMIT 5").fetchall()],
    }
    if table in ("SAMT02", "SAMT03", "BENCH01"):
        out["twin_values"] = {v: con.execute(f"SELECT sum({v}) FROM twin WHERE {total_filter}").fetchone()[0] for v in values}
    print(json.dumps(out))


def sample(args):
    con = connect(args.store)
    con.execute("CREATE TABLE twin AS " + twin_sql("SAMT01"))
    # Shares computed here, independently of the server: pct = cell / same cell with samtaleform
    # 'tot'; digital_pct on 'tot' cells = (telefon + video) / tot.
    rows = con.execute(f"""
        WITH tot AS (SELECT {KEYS.replace('samtaleform', "'tot' AS samtaleform")}, antal AS tot FROM twin WHERE samtaleform = 'tot'),
             dig AS (SELECT omraade, tid, ydelse, samtaletype, varighed, sum(antal) AS dig
                     FROM twin WHERE samtaleform IN ('telefon', 'video') GROUP BY ALL)
        SELECT t.omraade, t.tid, t.ydelse, t.samtaletype, t.samtaleform, t.varighed, t.antal,
               100.0 * t.antal / o.tot AS pct,
               CASE WHEN t.samtaleform = 'tot' THEN 100.0 * coalesce(d.dig, 0) / t.antal END AS digital_pct
        FROM twin t
        JOIN tot o ON o.omraade = t.omraade AND o.tid = t.tid AND o.ydelse = t.ydelse
                  AND o.samtaletype = t.samtaletype AND o.varighed = t.varighed
        LEFT JOIN dig d ON d.omraade = t.omraade AND d.tid = t.tid AND d.ydelse = t.ydelse
                  AND d.samtaletype = t.samtaletype AND d.varighed = t.varighed
        WHERE t.antal >= 5 AND o.tot >= 5
        ORDER BY hash(t.omraade || t.tid || t.ydelse || t.samtaletype || t.samtaleform || t.varighed || '{args.seed}')
        LIMIT {int(args.n)}""").fetchall()
    cols = ["omraade", "tid", "ydelse", "samtaletype", "samtaleform", "varighed", "antal", "pct", "digital_pct"]
    print(json.dumps([dict(zip(cols, r)) for r in rows]))


def ranks(args):
    """BENCH01's ranks, values and differences to the rest of the country for one period,
    computed here from the twins: municipalities with a published value only (no count in
    1..threshold-1, for the digital share neither the phone nor the video count, denominator
    > 0), RANK() = 1 for the highest share, ties share a rank."""
    con = connect(args.store)
    for dep in DERIVED["BENCH01"]:
        con.execute(f"CREATE TABLE {dep.lower()} AS " + twin_sql(dep))
    con.execute("CREATE TABLE bench AS " + twin_sql("BENCH01"))
    t = int(args.threshold)
    rows = con.execute(f"""
        WITH d AS (
            -- SAMT01's digital share is hidden if the phone or the video count is.
            SELECT omraade, ydelse,
                   max(CASE WHEN samtaleform IN ('telefon', 'video') AND antal BETWEEN 1 AND {t - 1}
                       THEN 1 ELSE 0 END) AS small
            FROM samt01 WHERE tid = ? AND samtaletype = 'tot' AND varighed = 'tot' GROUP BY ALL),
        k AS (
            SELECT b.* FROM bench b LEFT JOIN d USING (omraade, ydelse)
            WHERE b.tid = ? AND length(b.omraade) = 3 AND b.omraade <> '000'
              AND NOT (b.indikator = 'digital_pct' AND coalesce(d.small, 0) = 1)
              AND NOT (taeller BETWEEN 1 AND {t - 1}) AND NOT (naevner BETWEEN 1 AND {t - 1}) AND naevner > 0),
        land AS (SELECT indikator, ydelse, taeller AS tl, naevner AS nl FROM bench WHERE tid = ? AND omraade = '000')
        SELECT k.indikator, k.ydelse, k.omraade,
               RANK() OVER (PARTITION BY k.indikator, k.ydelse ORDER BY 100.0 * k.taeller / k.naevner DESC) AS rang,
               100.0 * k.taeller / k.naevner AS vaerdi,
               100.0 * k.taeller / k.naevner - 100.0 * (l.tl - k.taeller) / (l.nl - k.naevner) AS diff_rest
        FROM k JOIN land l USING (indikator, ydelse)
        ORDER BY 1, 2, 3""", [args.tid, args.tid, args.tid]).fetchall()
    cols = ["indikator", "ydelse", "omraade", "rang", "vaerdi", "diff_rest"]
    print(json.dumps([dict(zip(cols, r)) for r in rows]))


def gap(args):
    """The gap between a group of municipalities and the rest of the country per year, from the
    BENCH01 twin: group = sum of numerators / sum of denominators; rest = country minus group."""
    con = connect(args.store)
    for dep in DERIVED["BENCH01"]:
        con.execute(f"CREATE TABLE {dep.lower()} AS " + twin_sql(dep))
    con.execute("CREATE TABLE bench AS " + twin_sql("BENCH01"))
    codes = args.codes.split(",")
    marks = ",".join("?" for _ in codes)
    rows = con.execute(f"""
        WITH g AS (SELECT tid, sum(taeller) t, sum(naevner) n FROM bench
                   WHERE indikator = ? AND ydelse = ? AND omraade IN ({marks}) GROUP BY tid),
             l AS (SELECT tid, taeller t, naevner n FROM bench WHERE indikator = ? AND ydelse = ? AND omraade = '000')
        SELECT l.tid, 100.0 * g.t / g.n, 100.0 * (l.t - g.t) / (l.n - g.n)
        FROM l JOIN g USING (tid)
        WHERE l.tid NOT LIKE '%K%' AND l.tid NOT LIKE '%M%'
        ORDER BY 1""", [args.indicator, args.ydelse, *codes, args.indicator, args.ydelse]).fetchall()
    print(json.dumps([{"tid": r[0], "gruppe": r[1], "resten": r[2], "forskel": r[1] - r[2]} for r in rows]))


def timeit(args):
    """Seconds to materialise every twin (best of --runs), per table and in total."""
    con = connect(args.store, args.threads)
    per = {}
    for table in TABLES:
        if table in DERIVED:
            continue
        times = []
        for _ in range(int(args.runs)):
            t0 = time.perf_counter()
            con.execute(f"CREATE OR REPLACE TABLE twin_{table} AS " + twin_sql(table))
            times.append(time.perf_counter() - t0)
        per[table] = min(times)
    print(json.dumps({"seconds": sum(per.values()), "tables": per}))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("compare")
    c.add_argument("--store", required=True)
    c.add_argument("--release", required=True)
    c.add_argument("--threshold", default=5)
    c.add_argument("--table", default="SAMT01")
    s = sub.add_parser("sample")
    s.add_argument("--store", required=True)
    s.add_argument("--n", default=40)
    s.add_argument("--seed", default=1)
    r = sub.add_parser("ranks")
    r.add_argument("--store", required=True)
    r.add_argument("--tid", required=True)
    r.add_argument("--threshold", default=5)
    g = sub.add_parser("gap")
    g.add_argument("--store", required=True)
    g.add_argument("--codes", required=True)
    g.add_argument("--indicator", required=True)
    g.add_argument("--ydelse", default="tot")
    t = sub.add_parser("time")
    t.add_argument("--store", required=True)
    t.add_argument("--runs", default=1)
    t.add_argument("--threads", default=None)
    a = p.parse_args()
    {"compare": compare, "sample": sample, "ranks": ranks, "gap": gap, "time": timeit}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
