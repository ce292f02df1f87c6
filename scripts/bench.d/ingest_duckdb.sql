-- What `samtalebank ingest` does, written for DuckDB (any DuckDB syntax), for scripts/bench
-- ingest: the same CSV files read as text; every row validated (CPR number, date, municipality
-- and the codes of the code lists; a spell's end not before its start); pseudonymised with
-- three keyed SHA-256 digests per row (the person, the record's key and stored id, the person's
-- cell key); written as Hive-partitioned, uncompressed Parquet by year. Rows that fail a check
-- are left out (ingest writes them to its rejects file). {raw}, {out}, {data} and {key} are
-- filled in by scripts/bench.d/ingest_duckdb.py.
SET preserve_insertion_order = false;

CREATE TEMP TABLE kommune AS
SELECT kode FROM read_csv('{data}/kommuner.csv', delim = ';', header = true, all_varchar = true);
CREATE TEMP TABLE ydelse AS
SELECT column0 AS kode, column1 AS gruppe, column2 AS maalgruppe
FROM read_csv('{data}/ydelser.csv', delim = ';', header = false, all_varchar = true, comment = '#');
CREATE TEMP TABLE samtaletype AS
SELECT column0 AS kode FROM read_csv('{data}/samtaletyper.csv', delim = ';', header = false, all_varchar = true, comment = '#');
CREATE TEMP TABLE samtaleform AS
SELECT column0 AS kode FROM read_csv('{data}/samtaleformer.csv', delim = ';', header = false, all_varchar = true, comment = '#');

CREATE MACRO person_key(cpr) AS
  ('0x' || left(sha256('{key}' || 'cpr:' || replace(cpr, '-', '')), 15))::BIGINT;
CREATE MACRO cell_key(person) AS
  ('0x' || left(sha256('{key}' || 'pkey:' || CAST(person AS VARCHAR)), 8))::UBIGINT;
CREATE MACRO record_digest(kind, id) AS sha256('{key}' || kind || ':' || id);

COPY (
  SELECT
    ('0x' || substr(d, 9, 15))::BIGINT AS samtale_id,
    person,
    dato,
    kommune,
    y.gruppe AS ydelse,
    NULLIF(s.maalgruppe, '') AS maalgruppe,
    y.kode AS ydelse_detalje,
    samtaletype,
    samtaleform,
    hash(person, dato, kommune, y.kode, samtaletype, samtaleform) AS indhold_hash,
    ('0x' || left(d, 8))::UBIGINT AS rkey,
    cell_key(person) AS pkey,
    year(dato) AS aar
  FROM (
    SELECT *, record_digest('samtale', samtale_id) AS d, person_key(cpr) AS person,
           TRY_STRPTIME(dato_tekst, '%Y-%m-%d')::DATE AS dato
    FROM (SELECT * EXCLUDE (dato), dato AS dato_tekst
          FROM read_csv('{raw}/samtaler.csv', header = true, all_varchar = true))
    WHERE length(replace(cpr, '-', '')) = 10
  ) s
  JOIN ydelse y ON y.gruppe = s.ydelse AND coalesce(y.maalgruppe, '') = coalesce(s.maalgruppe, '')
  WHERE dato IS NOT NULL
    AND kommune IN (SELECT kode FROM kommune)
    AND samtaletype IN (SELECT kode FROM samtaletype)
    AND samtaleform IN (SELECT kode FROM samtaleform)
) TO '{out}/samtaler' (FORMAT parquet, PARTITION_BY (aar), COMPRESSION uncompressed);

COPY (
  SELECT
    ('0x' || substr(d, 9, 15))::BIGINT AS forloeb_id,
    person,
    kommune,
    y.gruppe AS ydelse,
    NULLIF(s.maalgruppe, '') AS maalgruppe,
    y.kode AS ydelse_detalje,
    start,
    slut,
    hash(person, kommune, y.kode, start, slut) AS indhold_hash,
    ('0x' || left(d, 8))::UBIGINT AS rkey,
    cell_key(person) AS pkey,
    year(start) AS start_aar
  FROM (
    SELECT *, record_digest('forloeb', forloeb_id) AS d, person_key(cpr) AS person,
           TRY_STRPTIME(start_tekst, '%Y-%m-%d')::DATE AS start,
           TRY_STRPTIME(NULLIF(slut_tekst, ''), '%Y-%m-%d')::DATE AS slut
    FROM (SELECT * EXCLUDE (start, slut), start AS start_tekst, slut AS slut_tekst
          FROM read_csv('{raw}/forloeb.csv', header = true, all_varchar = true))
    WHERE length(replace(cpr, '-', '')) = 10
  ) s
  JOIN ydelse y ON y.gruppe = s.ydelse AND coalesce(y.maalgruppe, '') = coalesce(s.maalgruppe, '')
  WHERE start IS NOT NULL
    AND (slut_tekst IS NULL OR slut_tekst = '' OR (slut IS NOT NULL AND slut >= start))
    AND kommune IN (SELECT kode FROM kommune)
) TO '{out}/forloeb' (FORMAT parquet, PARTITION_BY (start_aar), COMPRESSION uncompressed);
