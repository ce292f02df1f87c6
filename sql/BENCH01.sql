-- BENCH01 — benchmark of municipalities. SQL twin of crates/engine/src/bench01.rs.
--
-- Inputs: samt01, samt02, samt03 = the outputs of sql/SAMT01.sql, sql/SAMT02.sql and
-- sql/SAMT03.sql (run those first, as views or tables). Output: one row per (indikator, omraade,
-- tid, ydelse) with the numerator and denominator of the share (taeller, naevner). The release
-- derives the value, the national value, the rank among the 98 municipalities and the
-- differences to the country and to the rest of the country.
-- digital_pct: SAMT01's digital conversations (telefon, video) over all, of all types and durations.
SELECT indikator, omraade, tid, ydelse, taeller, naevner
FROM (
    SELECT 'digital_pct' AS indikator, omraade, tid, ydelse, digital AS taeller, antal AS naevner
    FROM samt01
    WHERE samtaletype = 'tot' AND samtaleform = 'tot' AND varighed = 'tot'
    UNION ALL
    SELECT 'pct6', omraade, tid, ydelse, samtale6, varet6 FROM samt02
    UNION ALL
    SELECT 'pct13', omraade, tid, ydelse, samtale13, varet13 FROM samt02
    UNION ALL
    SELECT 'intensitet', omraade, tid, ydelse, med2, personer FROM samt03
) x
WHERE taeller > 0 OR naevner > 0
