-- SAMT01 — Samtaler efter samtaleform (conversations by form). SQL twin of the built-in engine
-- (crates/engine/src/samt01.rs); see sql/README.md for how to run it.
--
-- Inputs (views or tables over the Parquet store): samtaler, forloeb, kommuner.
-- Output: one row per non-zero cell: omraade, tid, ydelse, samtaletype, samtaleform, varighed,
-- antal, digital (the conversations by phone or video among them) and, for the cell key
-- method, each count's key sum: the sum of its records' keys (rkey) mod 2^32 (antal_key,
-- digital_key). Disclosure control is applied afterwards, by the release step.
--
-- Time rules (docs/spec.md §3): day number t = dato - start of the covering spell; a spell covers dato
-- when start <= dato <= slut (slut NULL = ongoing). The band comes from the covering spell with
-- the same benefit group, else the latest started covering spell; none = 'uoplyst'.
-- Portability: standard SQL with GROUPING SETS; date_diff('day', a, b) is DuckDB/Trino syntax
-- (Spark: datediff(b, a)).
WITH cover AS (
    SELECT s.samtale_id,
           MAX(CASE WHEN f.ydelse = s.ydelse THEN f.start END) AS start_same,
           MAX(f.start) AS start_any
    FROM samtaler s
    JOIN forloeb f
      ON f.person = s.person
     AND f.start <= s.dato
     AND (f.slut IS NULL OR f.slut >= s.dato)
    GROUP BY s.samtale_id
),
banded AS (
    SELECT s.kommune,
           s.dato,
           s.ydelse,
           s.ydelse_detalje,
           s.samtaletype,
           s.samtaleform,
           s.rkey,
           date_diff('day', COALESCE(c.start_same, c.start_any), s.dato) AS t
    FROM samtaler s
    LEFT JOIN cover c ON c.samtale_id = s.samtale_id
),
base AS (
    SELECT k.regionskode,
           b.kommune,
           CAST(EXTRACT(YEAR FROM b.dato) AS VARCHAR(4)) AS aar,
           CAST(EXTRACT(YEAR FROM b.dato) AS VARCHAR(4)) || 'K'
               || CAST(EXTRACT(QUARTER FROM b.dato) AS VARCHAR(1)) AS kvartal,
           CAST(EXTRACT(YEAR FROM b.dato) AS VARCHAR(4)) || 'M'
               || LPAD(CAST(EXTRACT(MONTH FROM b.dato) AS VARCHAR(2)), 2, '0') AS maaned,
           b.ydelse,
           b.ydelse_detalje,
           b.samtaletype,
           b.samtaleform,
           CASE WHEN b.t IS NULL THEN 'uoplyst'
                WHEN b.t < 91 THEN '0-3'
                WHEN b.t < 182 THEN '3-6'
                WHEN b.t < 364 THEN '6-12'
                ELSE '12+' END AS varighed,
           COUNT(*) AS n,
           SUM(CAST(b.rkey AS BIGINT)) AS k
    FROM banded b
    JOIN kommuner k ON k.kode = b.kommune
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
),
rolled AS (
    SELECT CASE WHEN GROUPING(kommune) = 0 THEN kommune
                WHEN GROUPING(regionskode) = 0 THEN regionskode
                ELSE '000' END AS omraade_kode,
           CASE WHEN GROUPING(maaned) = 0 THEN maaned
                WHEN GROUPING(kvartal) = 0 THEN kvartal
                ELSE aar END AS tid_kode,
           CASE WHEN GROUPING(ydelse_detalje) = 0 THEN ydelse_detalje
                WHEN GROUPING(ydelse) = 0 THEN ydelse
                ELSE 'tot' END AS ydelse_kode,
           CASE WHEN GROUPING(samtaletype) = 0 THEN samtaletype ELSE 'tot' END AS samtaletype_kode,
           CASE WHEN GROUPING(samtaleform) = 0 THEN samtaleform ELSE 'tot' END AS samtaleform_kode,
           CASE WHEN GROUPING(varighed) = 0 THEN varighed ELSE 'tot' END AS varighed_kode,
           SUM(n) AS antal,
           SUM(k) % 4294967296 AS antal_key,
           SUM(CASE WHEN samtaleform IN ('telefon', 'video') THEN n ELSE 0 END) AS digital,
           SUM(CASE WHEN samtaleform IN ('telefon', 'video') THEN k ELSE 0 END) % 4294967296 AS digital_key,
           GROUPING(aar) AS all_years,
           GROUPING(ydelse_detalje) AS no_detail,
           ydelse AS group_code,
           ydelse_detalje AS detail_code
    FROM base
    GROUP BY ROLLUP (regionskode, kommune),
             ROLLUP (aar, kvartal, maaned),
             ROLLUP (ydelse, ydelse_detalje),
             CUBE (samtaletype, samtaleform, varighed)
)
SELECT omraade_kode AS omraade,
       tid_kode AS tid,
       ydelse_kode AS ydelse,
       samtaletype_kode AS samtaletype,
       samtaleform_kode AS samtaleform,
       varighed_kode AS varighed,
       antal,
       antal_key,
       digital,
       digital_key
FROM rolled
-- every period level but no grand total over time; a group without target-group children is
-- published once (as the group), not again as its own child. (Filtered here, not in HAVING:
-- Spark resolves GROUPING() in HAVING only for selected columns.)
WHERE all_years = 0
  AND (no_detail = 1 OR detail_code <> group_code)
