-- SAMT02 — Rettidig første samtale (timely first conversation). SQL twin of the built-in engine
-- (crates/engine/src/samt02.rs); see sql/README.md for how to run it.
--
-- Inputs: samtaler, forloeb, kommuner. Output: one row per (omraade, tid, ydelse) with spells
-- started: startet, varet6, samtale6, varet13, samtale13, samtale6_varet13 (lasted 13 weeks with
-- a first conversation within 6: not published, used by disclosure control), and their key sums for the cell key
-- method (`<count>_key`: the sum of the spells' rkey mod 2^32). The release derives pct6 and pct13 and
-- marks periods that cannot yet be followed 6 (13) weeks as not yet available.
--
-- Time rules (docs/spec.md §3): a spell's start is day 0; within 6 weeks = day 0..41, within 13 weeks =
-- day 0..90; a spell lasts 6 weeks if open or slut - start >= 41 (13 weeks: >= 90). A conversation
-- belongs to every spell of the same person that covers its date. Counted: spells starting from
-- the first month with conversations up to the data's end (the latest date in the store).
WITH bounds AS (
    SELECT (SELECT MIN(dato) FROM samtaler) AS first_dato,
           GREATEST((SELECT MAX(dato) FROM samtaler),
                    (SELECT MAX(start) FROM forloeb),
                    COALESCE((SELECT MAX(slut) FROM forloeb), DATE '1900-01-01')) AS data_end
),
spells AS (
    SELECT f.forloeb_id, f.person, f.kommune, f.ydelse, f.ydelse_detalje, f.start, f.slut,
           CAST(f.rkey AS BIGINT) AS rkey
    FROM forloeb f
    CROSS JOIN bounds b
    WHERE f.start >= CAST(DATE_TRUNC('month', b.first_dato) AS DATE)
      AND f.start <= b.data_end
),
firsts AS (
    SELECT sp.forloeb_id, MIN(date_diff('day', sp.start, s.dato)) AS t
    FROM spells sp
    JOIN samtaler s
      ON s.person = sp.person
     AND s.dato >= sp.start
     AND (sp.slut IS NULL OR s.dato <= sp.slut)
     AND date_diff('day', sp.start, s.dato) <= 90
    GROUP BY sp.forloeb_id
),
flags AS (
    SELECT sp.kommune,
           sp.start,
           sp.ydelse,
           sp.ydelse_detalje,
           sp.rkey,
           CASE WHEN sp.slut IS NULL OR date_diff('day', sp.start, sp.slut) >= 41 THEN 1 ELSE 0 END AS varet6,
           CASE WHEN sp.slut IS NULL OR date_diff('day', sp.start, sp.slut) >= 90 THEN 1 ELSE 0 END AS varet13,
           fi.t
    FROM spells sp
    LEFT JOIN firsts fi ON fi.forloeb_id = sp.forloeb_id
),
base AS (
    SELECT k.regionskode,
           f.kommune,
           CAST(EXTRACT(YEAR FROM f.start) AS VARCHAR(4)) AS aar,
           CAST(EXTRACT(YEAR FROM f.start) AS VARCHAR(4)) || 'K'
               || CAST(EXTRACT(QUARTER FROM f.start) AS VARCHAR(1)) AS kvartal,
           CAST(EXTRACT(YEAR FROM f.start) AS VARCHAR(4)) || 'M'
               || LPAD(CAST(EXTRACT(MONTH FROM f.start) AS VARCHAR(2)), 2, '0') AS maaned,
           f.ydelse,
           f.ydelse_detalje,
           COUNT(*) AS startet,
           SUM(f.varet6) AS varet6,
           SUM(CASE WHEN f.varet6 = 1 AND f.t <= 41 THEN 1 ELSE 0 END) AS samtale6,
           SUM(f.varet13) AS varet13,
           SUM(CASE WHEN f.varet13 = 1 AND f.t <= 90 THEN 1 ELSE 0 END) AS samtale13,
           SUM(CASE WHEN f.varet13 = 1 AND f.t <= 41 THEN 1 ELSE 0 END) AS samtale6_varet13,
           SUM(f.rkey) AS startet_key,
           SUM(f.varet6 * f.rkey) AS varet6_key,
           SUM(CASE WHEN f.varet6 = 1 AND f.t <= 41 THEN f.rkey ELSE 0 END) AS samtale6_key,
           SUM(f.varet13 * f.rkey) AS varet13_key,
           SUM(CASE WHEN f.varet13 = 1 AND f.t <= 90 THEN f.rkey ELSE 0 END) AS samtale13_key,
           SUM(CASE WHEN f.varet13 = 1 AND f.t <= 41 THEN f.rkey ELSE 0 END) AS samtale6_varet13_key
    FROM flags f
    JOIN kommuner k ON k.kode = f.kommune
    GROUP BY 1, 2, 3, 4, 5, 6, 7
),
rolled AS (
SELECT CASE WHEN GROUPING(kommune) = 0 THEN kommune
            WHEN GROUPING(regionskode) = 0 THEN regionskode
            ELSE '000' END AS omraade,
       CASE WHEN GROUPING(maaned) = 0 THEN maaned
            WHEN GROUPING(kvartal) = 0 THEN kvartal
            ELSE aar END AS tid,
       CASE WHEN GROUPING(ydelse_detalje) = 0 THEN ydelse_detalje
            WHEN GROUPING(ydelse) = 0 THEN ydelse
            ELSE 'tot' END AS ydelse,
       SUM(startet) AS startet,
       SUM(varet6) AS varet6,
       SUM(samtale6) AS samtale6,
       SUM(varet13) AS varet13,
       SUM(samtale13) AS samtale13,
       SUM(samtale6_varet13) AS samtale6_varet13,
       SUM(startet_key) % 4294967296 AS startet_key,
       SUM(varet6_key) % 4294967296 AS varet6_key,
       SUM(samtale6_key) % 4294967296 AS samtale6_key,
       SUM(varet13_key) % 4294967296 AS varet13_key,
       SUM(samtale13_key) % 4294967296 AS samtale13_key,
       SUM(samtale6_varet13_key) % 4294967296 AS samtale6_varet13_key,
       GROUPING(aar) AS all_years,
       GROUPING(ydelse_detalje) AS no_detail,
       ydelse AS group_code,
       ydelse_detalje AS detail_code
FROM base
GROUP BY ROLLUP (regionskode, kommune),
         ROLLUP (aar, kvartal, maaned),
         ROLLUP (ydelse, ydelse_detalje)
)
SELECT omraade, tid, ydelse, startet, varet6, samtale6, varet13, samtale13, samtale6_varet13,
       startet_key, varet6_key, samtale6_key, varet13_key, samtale13_key, samtale6_varet13_key
FROM rolled
-- as in SAMT01: no grand total over time; a group without children published once
WHERE all_years = 0
  AND (no_detail = 1 OR detail_code <> group_code)
