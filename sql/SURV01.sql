-- SURV01 — Borgerundersøgelse (the citizen survey). SQL twin of crates/engine/src/surv01.rs; see
-- sql/README.md for how to run it.
--
-- Inputs (defined from the store's survey by the runner, sql/README.md):
--   besvarelser (respondent, kommune, ydelse, vaegt, spoergsmaal, svar): one row per respondent
--     and question answered; svar is the answer code, or the codes chosen joined by '|' where
--     several answers are allowed;
--   svarkategorier (spoergsmaal, svar, svar_kode): the categories of each question: every answer
--     (covering itself) and every grouping (covering each of its answers);
--   ydelser (kode, gruppe): each benefit code's published benefit group.
-- Output: one row per (spoergsmaal, svar, ydelse, omraade) where someone answered the question:
-- n (respondents who answered, unweighted), pct (the weighted share choosing the category),
-- ci_lo and ci_hi (its 95 % Wilson interval on Kish's effective sample size (Σw)² / Σw²), in
-- per cent. ydelse is 'tot' or the benefit group; omraade '000' (the country) or the municipality.
-- Disclosure control is applied afterwards, by the release step.
WITH answered AS (
    SELECT b.respondent, b.kommune, y.gruppe, b.vaegt, b.spoergsmaal, b.svar
    FROM besvarelser b
    JOIN ydelser y ON y.kode = b.ydelse
),
cells AS (
    SELECT a.spoergsmaal,
           CASE WHEN yl.lvl = 1 THEN a.gruppe ELSE 'tot' END AS ydelse,
           CASE WHEN al.lvl = 1 THEN a.kommune ELSE '000' END AS omraade,
           a.respondent, a.vaegt, a.svar
    FROM answered a
    CROSS JOIN (VALUES (1), (2)) AS yl (lvl)
    CROSS JOIN (VALUES (1), (2)) AS al (lvl)
),
base AS (
    SELECT spoergsmaal, ydelse, omraade,
           COUNT(*) AS n, SUM(vaegt) AS w, SUM(vaegt * vaegt) AS w2
    FROM cells
    GROUP BY spoergsmaal, ydelse, omraade
),
-- Each respondent once per category that covers any of the answers chosen.
choosing AS (
    SELECT DISTINCT c.spoergsmaal, k.svar, c.ydelse, c.omraade, c.respondent, c.vaegt
    FROM cells c
    JOIN svarkategorier k
      ON k.spoergsmaal = c.spoergsmaal
     AND '|' || c.svar || '|' LIKE '%|' || k.svar_kode || '|%'
),
chosen AS (
    SELECT spoergsmaal, svar, ydelse, omraade, SUM(vaegt) AS w_svar
    FROM choosing
    GROUP BY spoergsmaal, svar, ydelse, omraade
),
shares AS (
    SELECT k.spoergsmaal, k.svar, b.ydelse, b.omraade, b.n,
           LEAST(GREATEST(COALESCE(c.w_svar, 0) / b.w, 0), 1) AS p,
           b.w * b.w / b.w2 AS neff
    FROM base b
    JOIN (SELECT DISTINCT spoergsmaal, svar FROM svarkategorier) k
      ON k.spoergsmaal = b.spoergsmaal
    LEFT JOIN chosen c
      ON c.spoergsmaal = k.spoergsmaal AND c.svar = k.svar
     AND c.ydelse = b.ydelse AND c.omraade = b.omraade
    WHERE b.w > 0
),
-- Wilson: z = 1.959963984540054; centre = (p + z²/2n) / (1 + z²/n),
-- half = z / (1 + z²/n) · √(p(1 − p)/n + z²/4n²), on n = neff.
wilson AS (
    SELECT s.*,
           (p + 3.841458820694124 / (2 * neff)) / (1 + 3.841458820694124 / neff) AS centre,
           1.959963984540054 / (1 + 3.841458820694124 / neff)
               * SQRT(p * (1 - p) / neff + 3.841458820694124 / (4 * neff * neff)) AS half
    FROM shares s
)
SELECT spoergsmaal, svar, ydelse, omraade, n,
       100 * p AS pct,
       100 * GREATEST(centre - half, 0) AS ci_lo,
       100 * LEAST(centre + half, 1) AS ci_hi
FROM wilson
