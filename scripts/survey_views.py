"""The input relations of sql/SURV01.sql, defined over a store's citizen survey in portable SQL
(the same text for DuckDB and Spark): besvarelser (one row per respondent and question
answered, from the respondents' one column per question), svarkategorier (each question's
answers and groupings, from the questionnaire) and ydelser (each benefit code's group, from
crates/model/data/ydelser.csv). The respondents themselves are the view `respondenter`, which
the caller defines over the store's files."""
import glob
import os
import re
import tomllib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CODE = re.compile(r"^[a-z0-9_+\-]+$")


def survey_files(store):
    """(questionnaire, respondents glob) of the store's survey, or None without one."""
    tomls = sorted(glob.glob(os.path.join(store, "undersoegelse", "spoergeskema-*.toml")))
    parts = glob.glob(os.path.join(store, "undersoegelse", "respondenter-*.parquet"))
    if not tomls or not parts:
        return None
    return tomls[-1], os.path.join(store, "undersoegelse", "respondenter-*.parquet")


def _lit(s):
    if not CODE.match(s):
        raise ValueError(f"not a code: {s!r}")
    return "'" + s + "'"


def _values(rows, names):
    body = ", ".join("(" + ", ".join(_lit(v) for v in r) + ")" for r in rows)
    return f"SELECT * FROM (VALUES {body}) AS t ({', '.join(names)})"


def views(questionnaire):
    """name -> SELECT for the three relations."""
    with open(questionnaire, "rb") as f:
        q = tomllib.load(f)["spoergsmaal"]
    parts = []
    cats = []
    for qu in q:
        code = qu["kode"]
        _lit(code)
        parts.append(
            f"SELECT respondent, kommune, ydelse, vaegt, '{code}' AS spoergsmaal, {code} AS svar "
            f"FROM respondenter WHERE {code} IS NOT NULL"
        )
        for a in qu["svar"]:
            cats.append((code, a["kode"], a["kode"]))
        for g in qu.get("gruppe", []):
            for a in g["svar"]:
                cats.append((code, g["kode"], a))
    ydelser = []
    with open(os.path.join(ROOT, "crates/model/data/ydelser.csv"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            kode, gruppe = line.split(";")[:2]
            ydelser.append((kode, gruppe))
    return {
        "besvarelser": " UNION ALL ".join(parts),
        "svarkategorier": _values(cats, ["spoergsmaal", "svar", "svar_kode"]),
        "ydelser": _values(ydelser, ["kode", "gruppe"]),
    }
