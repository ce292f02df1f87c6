-- BOUNDS — the data's first and last day, which fix the periods of SAMT01–SAMT03 when a release
-- is published from aggregates computed elsewhere (`samtalebank build --aggregates`).
--
-- Inputs: samtaler, forloeb. Output: one row: data_start (the first conversation), last_dato
-- (the last conversation) and data_end (the latest date of a conversation or a spell's start or
-- end), as the built-in build takes them from the store.
SELECT (SELECT MIN(dato) FROM samtaler) AS data_start,
       (SELECT MAX(dato) FROM samtaler) AS last_dato,
       GREATEST((SELECT MAX(dato) FROM samtaler),
                (SELECT MAX(start) FROM forloeb),
                COALESCE((SELECT MAX(slut) FROM forloeb), DATE '1900-01-01')) AS data_end
