-- SAMT03 — Samtaleintensitet (conversation frequency). SQL twin of the built-in engine
-- (crates/engine/src/samt03.rs); see sql/README.md for how to run it.
--
-- Inputs: samtaler, forloeb, kommuner. Output: one row per (omraade, tid, ydelse) with persons:
-- personer, med2, and their key sums for the cell key method (personer_key, med2_key: the sum of
-- the distinct persons' pkey mod 2^32). The release derives pct and marks periods outside the data as not available.
--
-- Time rules (docs/spec.md §3): the reference day R is the period's last day (month, quarter, year),
-- for every month with conversations up to the data's end. A person with a spell covering R and
-- 91 <= R - start <= 181 is in the population, once per area and benefit cell; in the numerator
-- with at least 2 conversations on days R - 90 .. R. Persons are counted (COUNT DISTINCT), so
-- totals need not equal the sum of their parts.
WITH bounds AS (
    SELECT GREATEST((SELECT MAX(dato) FROM samtaler),
                    (SELECT MAX(start) FROM forloeb),
                    COALESCE((SELECT MAX(slut) FROM forloeb), DATE '1900-01-01')) AS data_end
),
months AS (
    SELECT DISTINCT CAST(DATE_TRUNC('month', dato) AS DATE) AS m FROM samtaler
),
month_ends AS (
    SELECT m, CAST(m + INTERVAL '1' MONTH - INTERVAL '1' DAY AS DATE) AS r FROM months
),
refs AS (
    SELECT CAST(EXTRACT(YEAR FROM r) AS VARCHAR(4)) || 'M'
               || LPAD(CAST(EXTRACT(MONTH FROM r) AS VARCHAR(2)), 2, '0') AS tid, r
    FROM month_ends
    UNION ALL
    SELECT CAST(EXTRACT(YEAR FROM r) AS VARCHAR(4)) || 'K'
               || CAST(EXTRACT(QUARTER FROM r) AS VARCHAR(1)), r
    FROM month_ends WHERE EXTRACT(MONTH FROM r) IN (3, 6, 9, 12)
    UNION ALL
    SELECT CAST(EXTRACT(YEAR FROM r) AS VARCHAR(4)), r
    FROM month_ends WHERE EXTRACT(MONTH FROM r) = 12
),
pop AS (
    SELECT DISTINCT x.tid, x.r, f.person, CAST(f.pkey AS BIGINT) AS pkey, f.kommune, f.ydelse, f.ydelse_detalje
    FROM refs x
    CROSS JOIN bounds b
    JOIN forloeb f
      ON f.start <= x.r
     AND (f.slut IS NULL OR f.slut >= x.r)
     AND date_diff('day', f.start, x.r) BETWEEN 91 AND 181
    WHERE x.r <= b.data_end
),
num AS (
    SELECT p.tid, p.person,
           CASE WHEN COUNT(s.dato) >= 2 THEN 1 ELSE 0 END AS med2
    FROM (SELECT DISTINCT tid, r, person FROM pop) p
    LEFT JOIN samtaler s
      ON s.person = p.person
     AND date_diff('day', s.dato, p.r) BETWEEN 0 AND 90
    GROUP BY p.tid, p.person
),
expanded AS (
    SELECT p.tid,
           p.person,
           p.pkey,
           CASE al.lvl WHEN 1 THEN p.kommune WHEN 2 THEN k.regionskode ELSE '000' END AS omraade,
           CASE yl.lvl WHEN 1 THEN p.ydelse_detalje WHEN 2 THEN p.ydelse ELSE 'tot' END AS ydelse
    FROM pop p
    JOIN kommuner k ON k.kode = p.kommune
    CROSS JOIN (VALUES (1), (2), (3)) AS al (lvl)
    CROSS JOIN (VALUES (1), (2), (3)) AS yl (lvl)
    WHERE yl.lvl <> 1 OR p.ydelse_detalje <> p.ydelse
),
cells AS (
    SELECT DISTINCT e.omraade, e.tid, e.ydelse, e.person, e.pkey, n.med2
    FROM expanded e
    JOIN num n ON n.tid = e.tid AND n.person = e.person
)
SELECT omraade,
       tid,
       ydelse,
       COUNT(*) AS personer,
       SUM(med2) AS med2,
       SUM(pkey) % 4294967296 AS personer_key,
       SUM(med2 * pkey) % 4294967296 AS med2_key
FROM cells
GROUP BY omraade, tid, ydelse
