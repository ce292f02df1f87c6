#!/usr/bin/env python3
"""The attacker: takes only what the API publishes and tries to recover suppressed cells.

For a slice of a table (some variables fixed to one code, the others in full) it fetches the
JSON-stat from a running server, writes down every relation a user can know from the table's
definition (a total is the sum of its categories, a region of its municipalities, a year of its
quarters and months; SAMT02's counts are sums of disjoint groups of spells; SAMT03 counts
persons, so a total is at most the sum of its parts and at least each part, and a year is its
December), and then, by linear programming (HiGHS), computes for every suppressed count the
smallest and largest value consistent with everything published, counts never negative.

Prints one JSON object: the slice's size, and for every attacked cell its codes, [lo, hi].
The test compares these intervals with the true values from the DuckDB twin.

With --ckm-d D (a release of the cell key method) nothing is suppressed: every published count
bounds its true count to within D, and the counts that may be small are attacked.

usage: attack.py --url URL --table SAMT01 [--fix var=code ...] [--keep var=code,code ...]
       [--max N] [--ckm-d D] --kommuner kommuner.csv --ydelser ydelser.csv
"""
import argparse
import csv
import itertools
import json
import re
import sys
import urllib.parse
import urllib.request

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

# Measures that are counts, per table, as sums of atoms (disjoint groups of units).
ATOMS = {
    "SAMT01": (1, {"antal": [0]}),
    # Atoms: ended < 6w; lasted 6 not 13 w: no conv / conv <= 6w; lasted 13 w: conv <= 6w,
    # conv in 7-13 w, none.
    "SAMT02": (
        6,
        {
            "startet": [0, 1, 2, 3, 4, 5],
            "varet6": [1, 2, 3, 4, 5],
            "samtale6": [2, 3],
            "varet13": [3, 4, 5],
            "samtale13": [3, 4],
        },
    ),
    "SAMT03": (2, {"personer": [0, 1], "med2": [0]}),
}


def fetch(url, table, sel):
    q = "&".join(
        f"valuecodes[{urllib.parse.quote(k)}]={urllib.parse.quote(','.join(v))}"
        for k, v in sel.items()
    )
    with urllib.request.urlopen(f"{url}/api/v2/tables/{table}/data?{q}") as r:
        return json.load(r)


def metadata(url, table):
    with urllib.request.urlopen(f"{url}/api/v2/tables/{table}/metadata") as r:
        return json.load(r)


def period_parent(code):
    """The period a period is part of: month -> quarter, quarter -> year."""
    m = re.fullmatch(r"(\d{4})M(\d{2})", code)
    if m:
        return f"{m.group(1)}K{(int(m.group(2)) - 1) // 3 + 1}"
    m = re.fullmatch(r"(\d{4})K(\d)", code)
    if m:
        return m.group(1)
    return None


def last_month(code):
    """SAMT03: the month whose last day is the period's reference day."""
    if re.fullmatch(r"\d{4}", code):
        return f"{code}M12"
    m = re.fullmatch(r"(\d{4})K(\d)", code)
    if m:
        return f"{m.group(1)}M{int(m.group(2)) * 3:02d}"
    return code


def parents(var, codes, kommuner, ydelser):
    """Map child code -> parent code for the variable (the public hierarchy)."""
    out = {}
    for c in codes:
        if var == "omraade":
            if c in kommuner:
                out[c] = kommuner[c]
            elif c != "000":
                out[c] = "000"
        elif var == "tid":
            p = period_parent(c)
            if p:
                out[c] = p
        elif var == "ydelse":
            if c != "tot":
                out[c] = ydelser.get(c, "tot")
        elif c != "tot":
            out[c] = "tot"
    return {c: p for c, p in out.items() if p in codes}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--table", required=True)
    ap.add_argument("--fix", action="append", default=[], help="var=code")
    ap.add_argument("--keep", action="append", default=[], help="var=code,code,...")
    ap.add_argument("--max", type=int, default=400, help="attack at most this many cells")
    ap.add_argument("--kommuner", required=True)
    ap.add_argument("--ydelser", required=True)
    ap.add_argument(
        "--truth-url",
        help="a server with the same data released with --threshold 1: judge every interval",
    )
    ap.add_argument("--threshold", type=int, default=5)
    ap.add_argument(
        "--ckm-d",
        type=int,
        default=None,
        help="the release is perturbed by the cell key method with this largest noise D: every "
        "published count v only bounds its true count to [v - D, v + D]; attack the counts that "
        "may be small (v <= threshold - 1 + D)",
    )
    a = ap.parse_args()
    table = a.table.upper()
    kommuner, ydelser = {}, {}
    with open(a.kommuner, encoding="utf-8") as f:
        for row in csv.DictReader((l for l in f if not l.startswith("#")), delimiter=";"):
            kommuner[row["kode"]] = row["regionskode"]
    with open(a.ydelser, encoding="utf-8") as f:
        lines = [l for l in f if not l.startswith("#")]
        for row in csv.reader(lines, delimiter=";"):
            if row[0] != row[1]:
                ydelser[row[0]] = row[1]

    meta = metadata(a.url, table)
    dims = [d for d in meta["id"] if d != "maal"]
    n_atoms, measures = ATOMS[table]
    sel = {}
    for d in dims:
        sel[d] = list(meta["dimension"][d]["category"]["index"].keys())
    for f in a.fix:
        k, v = f.split("=", 1)
        sel[k] = [v]
    for f in a.keep:
        k, v = f.split("=", 1)
        sel[k] = v.split(",")
    sel["maal"] = list(measures)
    ds = fetch(a.url, table, sel)
    truth = fetch(a.truth_url, table, sel) if a.truth_url else None
    ids = ds["id"]
    size = ds["size"]
    cats = [
        sorted(ds["dimension"][d]["category"]["index"].items(), key=lambda x: x[1]) for d in ids
    ]
    codes = [[c for c, _ in cs] for cs in cats]
    status = ds.get("status") or {}
    if isinstance(status, list):
        status = {str(i): s for i, s in enumerate(status) if s}
    values = ds["value"]
    mi = ids.index("maal")
    cell_dims = [i for i in range(len(ids)) if i != mi]
    # Variables: atoms per cell.
    cell_index = {}
    for combo in itertools.product(*[range(size[i]) for i in cell_dims]):
        cell_index[combo] = len(cell_index)
    nvar = len(cell_index) * n_atoms

    def var(cell, atom):
        return cell_index[cell] * n_atoms + atom

    eq_rows, eq_b, ub_rows, ub_b = [], [], [], []
    suppressed = []  # (cell, measure, codes)
    small_published = []  # cell key method: a published count in 1..threshold-1
    strides = [1] * len(ids)
    for i in range(len(ids) - 2, -1, -1):
        strides[i] = strides[i + 1] * size[i + 1]
    for combo in cell_index:
        for m, meas in enumerate(codes[mi]):
            full = list(combo[:mi]) + [m] + list(combo[mi:])
            flat = sum(c * s for c, s in zip(full, strides))
            st = status.get(str(flat))
            v = values[flat]
            row = {var(combo, at): 1.0 for at in measures[meas]}
            if v is not None and a.ckm_d is not None and 0 < v < a.threshold:
                # The cell key method never publishes a count in 1..threshold-1.
                small_published.append({ids[d]: codes[d][combo[j]] for j, d in enumerate(cell_dims)} | {"maal": meas, "value": v})
            if v is not None and a.ckm_d is not None:
                # The true count is within D of the published one (and never negative).
                ub_rows.append(row)
                ub_b.append(float(v + a.ckm_d))
                if v - a.ckm_d > 0:
                    ub_rows.append({k: -x for k, x in row.items()})
                    ub_b.append(-float(v - a.ckm_d))
                if v <= a.threshold - 1 + a.ckm_d:
                    names = {ids[d]: codes[d][combo[j]] for j, d in enumerate(cell_dims)}
                    names["maal"] = meas
                    true = truth["value"][flat] if truth else None
                    suppressed.append((row, names, true))
            elif v is not None:
                eq_rows.append(row)
                eq_b.append(float(v))
            elif st == "..":
                names = {ids[d]: codes[d][combo[j]] for j, d in enumerate(cell_dims)}
                names["maal"] = meas
                true = truth["value"][flat] if truth else None
                suppressed.append((row, names, true))
    # Relations along every variable.
    for j, d in enumerate(cell_dims):
        name = ids[d]
        cs = codes[d]
        pos = {c: i for i, c in enumerate(cs)}
        if table == "SAMT03" and name == "tid":
            for c in cs:
                lm = last_month(c)
                if lm != c and lm in pos:
                    for combo in cell_index:
                        if combo[j] != pos[c]:
                            continue
                        other = list(combo)
                        other[j] = pos[lm]
                        for at in range(n_atoms):
                            eq_rows.append({var(combo, at): 1.0, var(tuple(other), at): -1.0})
                            eq_b.append(0.0)
            continue
        par = parents(name, cs, kommuner, ydelser)
        children = {}
        for c, p in par.items():
            children.setdefault(p, []).append(c)
        # Only complete relations: every child of the parent in the slice.
        for p, ch in children.items():
            for combo in cell_index:
                if combo[j] != pos[p]:
                    continue
                for at in range(n_atoms):
                    kids = []
                    for c in ch:
                        other = list(combo)
                        other[j] = pos[c]
                        kids.append(var(tuple(other), at))
                    top = var(combo, at)
                    if table == "SAMT03" and name in ("omraade", "ydelse"):
                        # persons: total <= sum of parts, each part <= total
                        r = {top: 1.0}
                        for k in kids:
                            r[k] = r.get(k, 0.0) - 1.0
                        ub_rows.append(r)
                        ub_b.append(0.0)
                        for k in kids:
                            ub_rows.append({k: 1.0, top: -1.0})
                            ub_b.append(0.0)
                    else:
                        r = {top: 1.0}
                        for k in kids:
                            r[k] = r.get(k, 0.0) - 1.0
                        eq_rows.append(r)
                        eq_b.append(0.0)

    # The line audit, checked here independently: every relation between published counts (a
    # total and its parts along one variable, a SAMT03 period and its last month) with exactly
    # one unknown count gives that count away by subtraction.
    def flat(combo, m):
        full = list(combo[:mi]) + [m] + list(combo[mi:])
        return sum(c * s for c, s in zip(full, strides))

    singletons = []
    for j, d in enumerate(cell_dims):
        name = ids[d]
        cs = codes[d]
        pos = {c: i for i, c in enumerate(cs)}
        groups = []
        if table == "SAMT03" and name == "tid":
            groups = [[pos[c], pos[last_month(c)]] for c in cs if last_month(c) != c and last_month(c) in pos]
        else:
            children = {}
            for c, p in parents(name, cs, kommuner, ydelser).items():
                children.setdefault(p, []).append(c)
            groups = [[pos[p]] + [pos[c] for c in ch] for p, ch in children.items()]
        for g in groups:
            for combo in cell_index:
                if combo[j] != g[0]:
                    continue
                for m in range(len(codes[mi])):
                    unknown = []
                    for x in g:
                        other = list(combo)
                        other[j] = x
                        if values[flat(tuple(other), m)] is None:
                            unknown.append(codes[d][x])
                    if len(unknown) == 1:
                        singletons.append({"variable": name, "total": codes[d][g[0]], "unknown": unknown[0], "maal": codes[mi][m]})
    # Against the truth: a published count must be the true one, a small true count hidden.
    mismatches, unhidden = [], []
    if truth and a.ckm_d is None:
        for flat_i, v in enumerate(values):
            t = truth["value"][flat_i]
            if v is not None and v != t:
                mismatches.append(flat_i)
            if v is not None and t is not None and 0 < t < a.threshold:
                unhidden.append(flat_i)

    def matrix(rows):
        if not rows:
            return None
        ri, ci, vv = [], [], []
        for i, r in enumerate(rows):
            for c, x in r.items():
                ri.append(i)
                ci.append(c)
                vv.append(x)
        return coo_matrix((vv, (ri, ci)), shape=(len(rows), nvar)).tocsr()

    A_eq, A_ub = matrix(eq_rows), matrix(ub_rows)
    b_eq = np.array(eq_b) if eq_rows else None
    b_ub = np.array(ub_b) if ub_rows else None
    step = max(1, len(suppressed) // a.max) if a.max > 0 else 1
    attacked = suppressed[::step][: a.max] if a.max > 0 else []
    out = []
    violations = []
    bounded_small = []
    for row, names, true in attacked:
        c = np.zeros(nvar)
        for k, x in row.items():
            c[k] = x
        bounds = []
        for sign in (1.0, -1.0):
            r = linprog(
                sign * c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=(0, None),
                method="highs",
            )
            if r.status == 3:  # unbounded
                bounds.append(None)
            elif r.status != 0:
                print(json.dumps({"error": r.message, "cell": names}), file=sys.stderr)
                sys.exit(2)
            else:
                bounds.append(sign * r.fun)
        lo, hi = bounds
        hi_v = float("inf") if hi is None else hi
        item = {"cell": names, "lo": lo, "hi": hi, "true": true}
        out.append(item)
        # Recovered: an exact value, or an interval that shows a count is below the threshold.
        # Under the cell key method, only an exact small count is a leak; an interval inside
        # 1..threshold-1 is counted (bounded_small).
        why = []
        if a.ckm_d is not None:
            if true is not None and 0 < true < a.threshold:
                if hi_v - lo < 1 - 1e-6:
                    why.append("exact")
                if lo > 1 - 1e-6 and hi_v < a.threshold - 1e-6:
                    bounded_small.append(names)
            if true is not None and not (lo - 1e-6 <= true <= hi_v + 1e-6):
                why.append("attacker's interval misses the true value")
            if why:
                violations.append(dict(item, why=why))
            continue
        if hi_v - lo < 1 - 1e-6:
            why.append("exact")
        if true is not None:
            if not (lo - 1e-6 <= true <= hi_v + 1e-6):
                why.append("attacker's interval misses the true value")
            if 0 < true < a.threshold and hi_v < a.threshold - 1e-6:
                why.append("shown to be below the threshold")
        if why:
            violations.append(dict(item, why=why))
    for cell in small_published[:20]:
        violations.append({"cell": cell, "why": ["a count in 1..threshold-1 is published"]})
    print(
        json.dumps(
            {
                "table": table,
                "cells": len(cell_index),
                "variables": nvar,
                "equations": len(eq_rows),
                "inequalities": len(ub_rows),
                "suppressed": len(suppressed),
                "attacked": len(out),
                "violations": violations,
                "bounded_small": len(bounded_small),
                "singletons": len(singletons),
                "singleton_examples": singletons[:5],
                "mismatches": len(mismatches),
                "unhidden_small": len(unhidden),
                "intervals": out[:20],
            }
        )
    )


if __name__ == "__main__":
    main()
