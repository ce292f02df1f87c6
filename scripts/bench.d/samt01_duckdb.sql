-- SAMT01's cube alone, written for speed on DuckDB (any DuckDB syntax), for scripts/bench build:
-- the yardstick of `samtalebank build`. The same cells as sql/SAMT01.sql (the portable twin),
-- checked by `scripts/oracle.py fast01 --check`.
--
-- One join finds each conversation's covering spell (same benefit group first, else the latest
-- started) and keeps the conversation's columns, so nothing is joined back; the counts are
-- grouped once per municipality × month × benefit × type × form × band; the area, period and
-- benefit hierarchies are unnested into the rows (3 × 3 × 2–3 codes each) instead of rolled up
-- as grouping sets, and only type, form and band are a CUBE.
WITH conv AS (
    SELECT s.kommune, s.dato, s.ydelse, s.ydelse_detalje, s.samtaletype, s.samtaleform, s.rkey,
           coalesce(max(f.start) FILTER (WHERE f.ydelse = s.ydelse), max(f.start)) AS start
    FROM samtaler s
    LEFT JOIN forloeb f
      ON f.person = s.person AND f.start <= s.dato AND (f.slut IS NULL OR f.slut >= s.dato)
    GROUP BY s.samtale_id, s.kommune, s.dato, s.ydelse, s.ydelse_detalje, s.samtaletype,
             s.samtaleform, s.rkey
),
base AS (
    SELECT k.regionskode, c.kommune,
           year(c.dato) AS y, quarter(c.dato) AS q, month(c.dato) AS m,
           c.ydelse, c.ydelse_detalje, c.samtaletype, c.samtaleform,
           CASE WHEN c.start IS NULL THEN 'uoplyst'
                WHEN c.dato - c.start < 91 THEN '0-3'
                WHEN c.dato - c.start < 182 THEN '3-6'
                WHEN c.dato - c.start < 364 THEN '6-12'
                ELSE '12+' END AS varighed,
           count(*) AS n,
           sum(c.rkey::BIGINT) AS k
    FROM conv c JOIN kommuner k ON k.kode = c.kommune
    GROUP BY ALL
),
expanded AS (
    SELECT a.omraade, t.tid, yy.ydelse_kode, b.samtaletype, b.samtaleform, b.varighed, b.n, b.k
    FROM base b,
         unnest([b.kommune, b.regionskode, '000']) AS a(omraade),
         unnest([b.y || 'M' || lpad(b.m::VARCHAR, 2, '0'), b.y || 'K' || b.q, b.y::VARCHAR]) AS t(tid),
         unnest(CASE WHEN b.ydelse_detalje = b.ydelse THEN [b.ydelse, 'tot']
                     ELSE [b.ydelse_detalje, b.ydelse, 'tot'] END) AS yy(ydelse_kode)
)
SELECT omraade, tid, ydelse_kode AS ydelse,
       coalesce(samtaletype, 'tot') AS samtaletype,
       coalesce(samtaleform, 'tot') AS samtaleform,
       coalesce(varighed, 'tot') AS varighed,
       sum(n) AS antal,
       sum(k) % 4294967296 AS antal_key,
       coalesce(sum(n) FILTER (WHERE samtaleform IN ('telefon', 'video')), 0) AS digital,
       coalesce(sum(k) FILTER (WHERE samtaleform IN ('telefon', 'video')), 0) % 4294967296 AS digital_key
FROM expanded
GROUP BY omraade, tid, ydelse_kode, CUBE (samtaletype, samtaleform, varighed)
