#!/usr/bin/env python3
"""Run the SQL twins (sql/*.sql) on Apache Spark over a Parquet store and write their outputs:
the aggregates that `samtalebank build --aggregates DIR` publishes from.

    python scripts/spark_twins.py --store store/ --out aggregates/ [--master local[2]]
        [--tables BOUNDS,SAMT01,SAMT02,SAMT03,BENCH01,SURV01] [--format parquet|csv]

On a cluster, the same script under spark-submit (the store on HDFS or object storage):

    spark-submit --master yarn scripts/spark_twins.py --store hdfs:///samtalebank/store \\
        --out hdfs:///samtalebank/aggregates/2026-12 --master ''

Each twin's output is one directory `OUT/<TABLE>/` of Parquet (or CSV with a header) files;
BENCH01 reads the outputs of SAMT01–SAMT03; BOUNDS is the data's first and last day; SURV01
(the citizen survey, when the store holds one) reads the relations scripts/survey_views.py
defines over the store's respondents and questionnaire. The twins run unmodified except for one documented
substitution (sql/README.md): the day difference `date_diff('day', a, b)` of DuckDB and Trino is
written `datediff(b, a)` for Spark.
"""
import argparse
import os
import re
import sys
import time

SQL_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sql")
TABLES = ["BOUNDS", "SAMT01", "SAMT02", "SAMT03", "BENCH01", "SURV01"]
DEPENDS = {"BENCH01": ["SAMT01", "SAMT02", "SAMT03"]}


def twin_sql(table):
    with open(os.path.join(SQL_DIR, f"{table}.sql"), encoding="utf-8") as f:
        return f.read()


def _split_args(text, start):
    """The two top-level arguments after `date_diff('day',` starting at `start`, and the index
    after the closing parenthesis."""
    depth, args, cur, i = 0, [], [], start
    while i < len(text):
        c = text[i]
        if c == "(":
            depth += 1
        elif c == ")":
            if depth == 0:
                args.append("".join(cur).strip())
                return args, i + 1
            depth -= 1
        elif c == "," and depth == 0:
            args.append("".join(cur).strip())
            cur = []
            i += 1
            continue
        cur.append(c)
        i += 1
    raise ValueError("unbalanced parentheses in date_diff")


DATE_DIFF = re.compile(r"date_diff\(\s*'day'\s*,", re.IGNORECASE)


def for_spark(sql):
    """The one dialect substitution: date_diff('day', a, b) -> datediff(b, a)."""
    out, pos = [], 0
    while True:
        m = DATE_DIFF.search(sql, pos)
        if not m:
            out.append(sql[pos:])
            return "".join(out)
        args, end = _split_args(sql, m.end())
        if len(args) != 2:
            raise ValueError(f"date_diff with {len(args)} arguments after 'day'")
        a, b = (for_spark(x) for x in args)
        out.append(sql[pos:m.start()])
        out.append(f"datediff({b}, {a})")
        pos = end


def session(master):
    from pyspark.sql import SparkSession

    b = SparkSession.builder.appName("samtalebank-twins")
    if master:
        b = b.master(master)
    # Small stores: few shuffle partitions; a cluster sets its own.
    b = b.config("spark.sql.shuffle.partitions", os.environ.get("SPARK_SHUFFLE_PARTITIONS", "8"))
    b = b.config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
    b = b.config("spark.sql.session.timeZone", "UTC")
    return b.getOrCreate()


def register_survey(spark, store):
    """The survey's input relations (scripts/survey_views.py); False without a survey."""
    import survey_views

    files = survey_views.survey_files(store)
    if files is None:
        return False
    questionnaire, respondents = files
    spark.read.parquet(respondents).createOrReplaceTempView("respondenter")
    for name, sql in survey_views.views(questionnaire).items():
        spark.sql(sql).createOrReplaceTempView(name)
    return True


def register_store(spark, store):
    # The partition directories (aar=YYYY) are read as files, not as a column: the twins take the
    # year from the dates, as DuckDB's read_parquet over the same files does.
    for name, path in [("samtaler", "samtaler/*/*.parquet"), ("forloeb", "forloeb/*/*.parquet"),
                       ("kommuner", "ref/kommuner.parquet")]:
        spark.read.parquet(f"{store.rstrip('/')}/{path}").createOrReplaceTempView(name)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--store", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--master", default="local[2]", help="Spark master ('' = from spark-submit)")
    p.add_argument("--tables", default=",".join(TABLES))
    p.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    args = p.parse_args(argv)
    wanted = [t.strip().upper() for t in args.tables.split(",") if t.strip()]
    for t in wanted:
        if t not in TABLES:
            sys.exit(f"spark_twins: unknown table {t!r} (known: {', '.join(TABLES)})")
    spark = session(args.master)
    spark.sparkContext.setLogLevel("FATAL")
    register_store(spark, args.store)
    if "SURV01" in wanted and not register_survey(spark, args.store):
        print("SURV01: the store has no survey, skipped", file=sys.stderr)
        wanted.remove("SURV01")
    done = set()

    def run(table):
        if table in done:
            return
        for dep in DEPENDS.get(table, []):
            run(dep)
            spark.read.parquet(os.path.join(args.out, dep)).createOrReplaceTempView(dep.lower()) \
                if args.format == "parquet" else \
                spark.read.option("header", True).option("inferSchema", True) \
                    .csv(os.path.join(args.out, dep)).createOrReplaceTempView(dep.lower())
        t0 = time.time()
        try:
            df = spark.sql(for_spark(twin_sql(table)))
        except Exception as e:  # Spark's analysis and parse errors: the table and the first lines
            first = "\n".join(str(e).strip().splitlines()[:6])
            sys.exit(f"spark_twins: sql/{table}.sql does not run on Spark: {first}")
        w = df.write.mode("overwrite")
        if args.format == "csv":
            w.option("header", True).csv(os.path.join(args.out, table))
        else:
            w.parquet(os.path.join(args.out, table))
        print(f"{table}: {time.time() - t0:.1f} s", file=sys.stderr)
        done.add(table)

    for t in wanted:
        run(t)
    spark.stop()


if __name__ == "__main__":
    main()
