#!/usr/bin/env python3
"""The independent oracle: run the SQL twins (sql/*.sql) on DuckDB over a Parquet store and
compare them with a release, cell by cell.

  oracle.py compare --store S --release R [--table SAMT01] [--threshold 5]  -> JSON summary of mismatches
  oracle.py sample  --store S --n 40 [--seed 1]              -> JSON list of twin cells, with pct and digital_pct
  oracle.py ckm     --store S --release R [--js 4] [--d 5]   -> JSON per table: the twins perturbed with the shipped
                                                              ptable against a release built with --protection ckm
  oracle.py coverage --store S --release R [--min-den 5]    -> JSON: per slice, the share of non-empty cells with a value
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


PTABLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates", "disclosure", "data", "ptable.csv")

# The counts each table publishes, and for each the counts it is nested in (its records are
# among theirs), parents first: the cell key method publishes the smaller of the two.
CKM = {
    "SAMT01": (["omraade", "tid", "ydelse", "samtaletype", "samtaleform", "varighed"],
               [("antal", []), ("digital", ["antal"])]),
    "SAMT02": (["omraade", "tid", "ydelse"],
               [("startet", []), ("varet6", ["startet"]), ("samtale6", ["varet6"]),
                ("varet13", ["varet6"]), ("samtale13", ["varet13"])]),
    "SAMT03": (["omraade", "tid", "ydelse"], [("personer", []), ("med2", ["personer"])]),
}


def load_ptable(con):
    rows = []
    with open(PTABLE, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or line.startswith("i;"):
                continue
            i, v, _p, upper = line.strip().split(";")
            rows.append((int(i), int(v), int(upper)))
    con.execute("CREATE TABLE ptable (i INTEGER, v INTEGER, upper BIGINT)")
    con.executemany("INSERT INTO ptable VALUES (?, ?, ?)", rows)
    con.execute("CREATE TABLE pt AS SELECT i, v, upper, "
                "coalesce(lag(upper) OVER (PARTITION BY i ORDER BY upper), 0) AS lower FROM ptable")
    return max(r[0] for r in rows)


def ckm(args):
    """Apply the ptable to the twins' counts and key sums, keep nested counts in order, and
    compare every published count of the release (built with --protection ckm); also check that
    no published count is in 1..js and none is more than D from the truth. BENCH01 is its twin
    run over the perturbed SAMT01-03."""
    con = connect(args.store)
    last = load_ptable(con)
    js, d = int(args.js), int(args.d)
    out = {}
    for table, (keys, counts) in CKM.items():
        con.execute(f"CREATE TABLE truth_{table} AS " + twin_sql(table))
        noisy = ", ".join(
            f"""CASE WHEN t.{c} = 0 THEN 0 ELSE greatest(t.{c} + (SELECT p.v FROM pt p
                   WHERE p.i = least(t.{c}, {last}) AND t.{c}_key >= p.lower AND t.{c}_key < p.upper), 0) END AS {c}"""
            for c, _ in counts)
        con.execute(f"CREATE TABLE raw_{table} AS SELECT {', '.join('t.' + k for k in keys)}, {noisy} FROM truth_{table} t")
        # Parents first: each count at most the (already ordered) counts it is nested in.
        sel, done = [], {}
        for c, parents in counts:
            expr = c if not parents else "least(" + ", ".join([c] + [done[p] for p in parents]) + ")"
            done[c] = expr
            sel.append(f"{expr} AS {c}")
        con.execute(f"CREATE TABLE {table.lower()} AS SELECT {', '.join(keys)}, {', '.join(sel)} FROM raw_{table}")
    con.execute("CREATE TABLE bench AS " + twin_sql("BENCH01"))
    every = list(CKM.items()) + [("BENCH01", (TABLES["BENCH01"][0], [(c, []) for c in TABLES["BENCH01"][1]]))]
    for table, (keys, counts) in every:
        mine = "bench" if table == "BENCH01" else table.lower()
        names = [c for c, _ in counts]
        nonzero = " OR ".join(f"o.{c} <> 0" for c in names)
        con.execute(f"CREATE OR REPLACE VIEW rel AS SELECT * FROM read_parquet('{args.release}/{table}/data-*.parquet')")
        k = ", ".join(keys)
        diff = " OR ".join(f"o.{c} IS DISTINCT FROM r.{c}" for c in names)
        bad = f"FROM (SELECT * FROM {mine} o WHERE {nonzero}) o FULL OUTER JOIN rel r USING ({k}) WHERE {diff}"
        res = {
            "cells": con.execute(f"SELECT count(*) FROM {mine} o WHERE {nonzero}").fetchone()[0],
            "release_rows": con.execute("SELECT count(*) FROM rel").fetchone()[0],
            "mismatches": con.execute("SELECT count(*) " + bad).fetchone()[0],
            "examples": [list(map(str, r)) for r in con.execute(
                f"SELECT {k}, " + ", ".join(f"o.{c}, r.{c}" for c in names) + " " + bad + " LIMIT 5").fetchall()],
        }
        if table != "BENCH01":
            # Against the truth: no published count in 1..js, none more than D off.
            j = f"FROM truth_{table} t LEFT JOIN rel r USING ({k})"
            res["true_cells"] = con.execute(f"SELECT count(*) FROM truth_{table}").fetchone()[0]
            res["small_published"] = con.execute(
                f"SELECT count(*) {j} WHERE " + " OR ".join(f"coalesce(r.{c}, 0) BETWEEN 1 AND {js}" for c in names)).fetchone()[0]
            res["max_deviation"] = con.execute(
                f"SELECT max(greatest({', '.join(f'abs(coalesce(r.{c}, 0) - t.{c})' for c in names)})) {j}").fetchone()[0]
            res["changed"] = con.execute(
                f"SELECT count(*) {j} WHERE " + " OR ".join(f"coalesce(r.{c}, 0) <> t.{c}" for c in names)).fetchone()[0]
        out[table] = res
    print(json.dumps(out))


def coverage(args):
    """The share of non-empty cells that carry a value in a release, for the slices a municipal
    analyst reads (other variables at their total): a count carries one unless suppressed (a
    published 0 is a value); a share when its published denominator is at least --min-den. Non-empty: the
    true count (the twin's) is above 0; SAMT02 periods that cannot yet be followed 6 weeks and
    SAMT03 periods outside the data are left out, as the release shows them as not available."""
    con = connect(args.store)
    for t in ("SAMT01", "SAMT02", "SAMT03"):
        con.execute(f"CREATE TABLE truth_{t} AS " + twin_sql(t))
        con.execute(f"CREATE VIEW rel_{t} AS SELECT * FROM read_parquet('{args.release}/{t}/data-*.parquet')")
    groups = []
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates", "model", "data", "ydelser.csv"), encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                kode, gruppe = line.split(";")[:2]
                if kode == gruppe:
                    groups.append(kode)
    g = ", ".join(f"'{x}'" for x in groups)
    end = con.execute("SELECT max(dato) FROM samtaler").fetchone()[0]
    kommune = "length(t.omraade) = 3 AND t.omraade <> '000'"
    m = int(args.min_den)
    slices = [
        ("SAMT01 digital share, kommune x month, all benefits", "SAMT01", "antal",
         f"{kommune} AND t.tid LIKE '%M%' AND t.ydelse = 'tot' AND t.samtaletype = 'tot' AND t.samtaleform = 'tot' AND t.varighed = 'tot'", True),
        ("SAMT01 digital share, kommune x year x benefit group", "SAMT01", "antal",
         f"{kommune} AND length(t.tid) = 4 AND t.ydelse IN ({g}) AND t.samtaletype = 'tot' AND t.samtaleform = 'tot' AND t.varighed = 'tot'", True),
        ("SAMT01 count, kommune x year x benefit group x form", "SAMT01", "antal",
         f"{kommune} AND length(t.tid) = 4 AND t.ydelse IN ({g}) AND t.samtaletype = 'tot' AND t.samtaleform <> 'tot' AND t.varighed = 'tot'", False),
        ("SAMT02 within 6 weeks, kommune x quarter", "SAMT02", "varet6",
         f"{kommune} AND t.tid LIKE '%K%' AND t.ydelse = 'tot'", True),
        ("SAMT02 within 6 weeks, kommune x year x benefit group", "SAMT02", "varet6",
         f"{kommune} AND length(t.tid) = 4 AND t.ydelse IN ({g})", True),
        ("SAMT03 frequency, kommune x month, dagpenge", "SAMT03", "personer",
         f"{kommune} AND t.tid LIKE '%M%' AND t.ydelse = 'dagpenge'", True),
    ]
    keys = {"SAMT01": "omraade, tid, ydelse, samtaletype, samtaleform, varighed", "SAMT02": "omraade, tid, ydelse", "SAMT03": "omraade, tid, ydelse"}
    out = []
    for name, table, den, where, share in slices:
        if table == "SAMT02":
            # Followed 6 weeks: the period's last day at least 41 days before the data's end.
            where += (f" AND (CASE WHEN t.tid LIKE '%K%' THEN last_day(make_date(CAST(substr(t.tid, 1, 4) AS INTEGER), 3 * CAST(substr(t.tid, 6, 1) AS INTEGER), 1))"
                      f" ELSE make_date(CAST(t.tid AS INTEGER), 12, 31) END) + INTERVAL 41 DAY <= DATE '{end}'")
        # A cell the release does not hold is a published 0: a value for a count, none for a share.
        ok = f"r.{den} IS NOT NULL AND r.{den} >= {m}" if share else f"(r.{den} IS NOT NULL OR r.omraade IS NULL)"
        n, carried = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE {ok}) FROM truth_{table} t LEFT JOIN rel_{table} r USING ({keys[table]}) "
            f"WHERE t.{den} > 0 AND {where}").fetchone()
        out.append({"slice": name, "nonempty": n, "with_value": carried, "pct": round(100.0 * carried / n, 1) if n else None})
    if args.text:
        for r in out:
            print(f"  {r['pct']:5.1f} %  {r['slice']} ({r['with_value']} of {r['nonempty']})")
    else:
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


def fast01(args):
    """Seconds of the fastest DuckDB query for SAMT01's cube (scripts/bench.d/samt01_duckdb.sql),
    best of --runs; with --check, also that its cells equal the portable twin's."""
    con = connect(args.store, args.threads)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench.d", "samt01_duckdb.sql")
    with open(path, encoding="utf-8") as f:
        sql = f.read()
    times = []
    for _ in range(int(args.runs)):
        t0 = time.perf_counter()
        con.execute("CREATE OR REPLACE TABLE fast_SAMT01 AS " + sql)
        times.append(time.perf_counter() - t0)
    out = {"seconds": min(times), "cells": con.execute("SELECT count(*) FROM fast_SAMT01").fetchone()[0]}
    if args.check:
        con.execute("CREATE TABLE twin_SAMT01 AS " + twin_sql("SAMT01"))
        cols = KEYS + ", antal, antal_key, digital, digital_key"
        only = [con.execute(f"SELECT count(*) FROM (SELECT {cols} FROM {a} EXCEPT ALL SELECT {cols} FROM {b})").fetchone()[0]
                for a, b in (("fast_SAMT01", "twin_SAMT01"), ("twin_SAMT01", "fast_SAMT01"))]
        out["only_in_fast"], out["only_in_twin"] = only
        if any(only):
            print(json.dumps(out))
            sys.exit(1)
    print(json.dumps(out))


def same(args):
    """Every twin on DuckDB against the same twin's output from another engine (a directory of
    Parquet per table, as scripts/spark_twins.py writes): the same rows, every column equal.
    Prints JSON: per table the number of rows on each side and of rows that differ."""
    con = connect(args.store)
    out = {}
    import survey_views
    files = survey_views.survey_files(args.store)
    if files is not None and os.path.isdir(os.path.join(args.aggregates, "SURV01")):
        # Weighted shares: n equal, the numbers within 1e-9 (sums in another order).
        questionnaire, respondents = files
        con.execute(f"CREATE VIEW respondenter AS SELECT * FROM read_parquet('{respondents}')")
        for name, sql in survey_views.views(questionnaire).items():
            con.execute(f"CREATE VIEW {name} AS {sql}")
        con.execute("CREATE TABLE surv01 AS " + twin_sql("SURV01"))
        other = os.path.join(args.aggregates, "SURV01")
        con.execute(f"CREATE TABLE other_SURV01 AS SELECT * FROM read_parquet('{other}/*.parquet')")
        keys = "spoergsmaal, svar, ydelse, omraade"
        n_ours = con.execute("SELECT count(*) FROM surv01").fetchone()[0]
        n_theirs = con.execute("SELECT count(*) FROM other_SURV01").fetchone()[0]
        differ = con.execute(f"""SELECT count(*) FROM surv01 a FULL JOIN other_SURV01 b USING ({keys})
            WHERE a.n IS DISTINCT FROM b.n OR abs(a.pct - b.pct) > 1e-9 OR a.pct IS NULL OR b.pct IS NULL
               OR abs(coalesce(a.ci_lo, -1) - coalesce(b.ci_lo, -1)) > 1e-9
               OR abs(coalesce(a.ci_hi, -1) - coalesce(b.ci_hi, -1)) > 1e-9""").fetchone()[0]
        out["SURV01"] = {"duckdb": n_ours, "other": n_theirs, "only_duckdb": differ, "only_other": differ}
    for table in ["BOUNDS", "SAMT01", "SAMT02", "SAMT03", "BENCH01"]:
        con.execute(f"CREATE TABLE {table.lower()} AS " + twin_sql(table))
        other = os.path.join(args.aggregates, table)
        con.execute(f"CREATE TABLE other_{table} AS SELECT * FROM read_parquet('{other}/*.parquet')")
        cols = [r[0] for r in con.execute(f"DESCRIBE {table.lower()}").fetchall()]
        theirs = [r[0] for r in con.execute(f"DESCRIBE other_{table}").fetchall()]
        if sorted(cols) != sorted(theirs):
            out[table] = {"error": f"columns differ: {cols} vs {theirs}"}
            continue
        sel = ", ".join(f"CAST({c} AS VARCHAR)" for c in cols)
        n_ours = con.execute(f"SELECT count(*) FROM {table.lower()}").fetchone()[0]
        n_theirs = con.execute(f"SELECT count(*) FROM other_{table}").fetchone()[0]
        only_ours = con.execute(
            f"SELECT count(*) FROM (SELECT {sel} FROM {table.lower()} EXCEPT ALL SELECT {sel} FROM other_{table})"
        ).fetchone()[0]
        only_theirs = con.execute(
            f"SELECT count(*) FROM (SELECT {sel} FROM other_{table} EXCEPT ALL SELECT {sel} FROM {table.lower()})"
        ).fetchone()[0]
        out[table] = {"duckdb": n_ours, "other": n_theirs, "only_duckdb": only_ours, "only_other": only_theirs}
    print(json.dumps(out))


def survey(args):
    """SURV01's twin (sql/SURV01.sql) on DuckDB against the release: every published share and
    interval within 1e-9 of the twin's, n equal; no published cell without a twin row. Prints
    JSON: twin rows, published cells compared, mismatches (the first few)."""
    import survey_views
    files = survey_views.survey_files(args.store)
    if files is None:
        sys.exit("oracle.py survey: the store has no survey")
    questionnaire, respondents = files
    con = duckdb.connect()
    con.execute(f"CREATE VIEW respondenter AS SELECT * FROM read_parquet('{respondents}')")
    for name, sql in survey_views.views(questionnaire).items():
        con.execute(f"CREATE VIEW {name} AS {sql}")
    con.execute("CREATE TABLE twin AS " + twin_sql("SURV01"))
    con.execute(f"CREATE VIEW rel AS SELECT * FROM read_parquet('{args.release}/SURV01/data-*.parquet')")
    rows = con.execute("SELECT count(*) FROM twin").fetchone()[0]
    compared = con.execute("SELECT count(*) FROM rel WHERE pct IS NOT NULL").fetchone()[0]
    bad = con.execute("""
        SELECT r.spoergsmaal, r.svar, r.ydelse, r.omraade, r.n, t.n, r.pct, t.pct, r.ci_lo, t.ci_lo, r.ci_hi, t.ci_hi
        FROM rel r LEFT JOIN twin t USING (spoergsmaal, svar, ydelse, omraade)
        WHERE r.pct IS NOT NULL AND (t.pct IS NULL OR r.n <> t.n OR abs(r.pct - t.pct) > 1e-9
              OR abs(coalesce(r.ci_lo, -1) - coalesce(t.ci_lo, -1)) > 1e-9
              OR abs(coalesce(r.ci_hi, -1) - coalesce(t.ci_hi, -1)) > 1e-9)""").fetchall()
    print(json.dumps({"twin_rows": rows, "compared": compared, "mismatches": len(bad),
                      "first": [list(map(str, b)) for b in bad[:5]]}))


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
    k = sub.add_parser("ckm")
    k.add_argument("--store", required=True)
    k.add_argument("--release", required=True)
    k.add_argument("--js", default=4)
    k.add_argument("--d", default=5)
    v = sub.add_parser("coverage")
    v.add_argument("--store", required=True)
    v.add_argument("--release", required=True)
    v.add_argument("--min-den", default=5)
    v.add_argument("--text", action="store_true", help="one line per slice instead of JSON")
    t = sub.add_parser("time")
    t.add_argument("--store", required=True)
    t.add_argument("--runs", default=1)
    t.add_argument("--threads", default=None)
    f1 = sub.add_parser("fast01", help="the fastest DuckDB query for SAMT01's cube, timed")
    f1.add_argument("--store", required=True)
    f1.add_argument("--runs", default=1)
    f1.add_argument("--threads", default=None)
    f1.add_argument("--check", action="store_true", help="and equal to the portable twin's cells")
    sv = sub.add_parser("survey", help="SURV01's twin on DuckDB against a release")
    sv.add_argument("--store", required=True)
    sv.add_argument("--release", required=True)
    m = sub.add_parser("same", help="the twins on DuckDB against another engine's outputs")
    m.add_argument("--store", required=True)
    m.add_argument("--aggregates", required=True)
    a = p.parse_args()
    {"compare": compare, "sample": sample, "ranks": ranks, "gap": gap, "ckm": ckm, "coverage": coverage, "time": timeit, "fast01": fast01, "same": same, "survey": survey}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
