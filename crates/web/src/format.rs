//! Numbers and dates as readers expect them: thousands separators and the decimal sign of the
//! language; the status symbols (`..`, `.`, `-`) for values that are not numbers; dates in the
//! language's words.

use samtalebank_model::Lang;
use samtalebank_pxweb::format_value;
use samtalebank_release::Value;

/// A value as a machine reads it (`data-value` attributes): a point for decimals, no
/// separators, and the API's rounding, so that a page and the API agree to the last digit.
pub fn plain(v: Value, decimals: u8) -> String {
    format_value(v, decimals, false)
}

/// A value with the decimals of its measure, in the language's number format.
pub fn num(lang: Lang, v: Value, decimals: u8) -> String {
    let s = format_value(v, decimals, false);
    if !matches!(v, Value::Num(_)) {
        return s;
    }
    let (int, frac) = s
        .split_once('.')
        .map(|(a, b)| (a.to_string(), Some(b.to_string())))
        .unwrap_or((s.clone(), None));
    let (neg, digits) = int
        .strip_prefix('-')
        .map(|d| (true, d.to_string()))
        .unwrap_or((false, int.clone()));
    let (tsep, dsep) = match lang {
        Lang::Da => ('.', ','),
        Lang::En => (',', '.'),
    };
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(tsep);
        }
        grouped.push(ch);
    }
    let mut out = if neg { format!("-{grouped}") } else { grouped };
    if let Some(f) = frac {
        out.push(dsep);
        out.push_str(&f);
    }
    out
}

/// A number with a sign (`+3,2`, `-1,0`), for changes.
pub fn signed(lang: Lang, x: f64, decimals: u8) -> String {
    let r = samtalebank_pxweb::round(x, decimals);
    if r == 0.0 {
        return num(lang, Value::Num(0.0), decimals);
    }
    let s = num(lang, Value::Num(r), decimals);
    if r > 0.0 {
        format!("+{s}")
    } else {
        s
    }
}

const MONTHS_DA: [&str; 12] = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A time (RFC 3339) in the language's words, in Danish time: `7. december 2026 kl. 13.53`,
/// `7 December 2026, 13:53`. Text that is not a time is returned as it is.
pub fn date_words(lang: Lang, rfc3339: &str) -> String {
    use chrono::{Datelike, Timelike};
    let Ok(t) = chrono::DateTime::parse_from_rfc3339(rfc3339) else {
        return rfc3339.to_string();
    };
    // Danish time: UTC+1, +2 from the last Sunday of March to the last Sunday of October.
    let utc = t.with_timezone(&chrono::Utc);
    let summer = {
        let y = utc.year();
        let last_sunday = |month: u32| {
            let mut d = chrono::NaiveDate::from_ymd_opt(y, month, 31).unwrap_or_default();
            while d.weekday() != chrono::Weekday::Sun {
                d = d.pred_opt().unwrap_or(d);
            }
            d.and_hms_opt(1, 0, 0).unwrap_or_default().and_utc()
        };
        utc >= last_sunday(3) && utc < last_sunday(10)
    };
    let local = utc + chrono::Duration::hours(if summer { 2 } else { 1 });
    let (d, m, y, hh, mm) = (
        local.day(),
        local.month0() as usize,
        local.year(),
        local.hour(),
        local.minute(),
    );
    match lang {
        Lang::Da => format!("{d}. {} {y} kl. {hh:02}.{mm:02}", MONTHS_DA[m]),
        Lang::En => format!("{d} {} {y}, {hh:02}:{mm:02}", MONTHS_EN[m]),
    }
}

/// A day (`YYYY-MM-DD`) in the language's words: `31. december 2024`, `31 December 2024`.
pub fn day_words(lang: Lang, day: &str) -> String {
    use chrono::Datelike;
    let Ok(d) = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d") else {
        return day.to_string();
    };
    let m = d.month0() as usize;
    match lang {
        Lang::Da => format!("{}. {} {}", d.day(), MONTHS_DA[m], d.year()),
        Lang::En => format!("{} {} {}", d.day(), MONTHS_EN[m], d.year()),
    }
}

/// A period code in the language's words: `2024`, `2. kvartal 2024` / `Q2 2024`,
/// `marts 2024` / `March 2024`.
pub fn period_words(lang: Lang, code: &str) -> String {
    if let Some((y, q)) = code.split_once('K') {
        return match lang {
            Lang::Da => format!("{q}. kvartal {y}"),
            Lang::En => format!("Q{q} {y}"),
        };
    }
    if let Some((y, m)) = code.split_once('M') {
        if let Some(i) = m.parse::<usize>().ok().filter(|i| (1..=12).contains(i)) {
            return match lang {
                Lang::Da => format!("{} {y}", MONTHS_DA[i - 1]),
                Lang::En => format!("{} {y}", MONTHS_EN[i - 1]),
            };
        }
    }
    code.to_string()
}

/// A period code as a short axis label: `2024`, `2024K2` / `2024Q2`, `2024M03`.
pub fn period_short(lang: Lang, code: &str) -> String {
    match lang {
        Lang::Da => code.to_string(),
        Lang::En => code.replace('K', "Q"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_dates_and_periods_in_each_language() {
        assert_eq!(num(Lang::Da, Value::Num(1234567.891), 1), "1.234.567,9");
        assert_eq!(num(Lang::En, Value::Num(-1234.5), 1), "-1,234.5");
        assert_eq!(num(Lang::Da, Value::Suppressed, 1), "..");
        assert_eq!(signed(Lang::Da, 3.25, 1), "+3,3");
        assert_eq!(signed(Lang::En, -0.04, 1), "0.0");
        assert_eq!(signed(Lang::En, -1.25, 1), "-1.3");
        assert_eq!(
            date_words(Lang::Da, "2026-12-07T12:53:45Z"),
            "7. december 2026 kl. 13.53"
        );
        assert_eq!(
            date_words(Lang::En, "2026-07-01T10:00:00Z"),
            "1 July 2026, 12:00"
        );
        assert_eq!(day_words(Lang::Da, "2024-12-31"), "31. december 2024");
        assert_eq!(period_words(Lang::En, "2024K1"), "Q1 2024");
        assert_eq!(period_words(Lang::Da, "2024M03"), "marts 2024");
        assert_eq!(period_short(Lang::En, "2024K1"), "2024Q1");
    }
}

/// The Danish alphabetical order of names: æ, ø and å after z, and `aa` read as å (Aabenraa,
/// Aalborg and Aarhus come last, as in Danish lists).
pub fn collate(a: &str, b: &str) -> std::cmp::Ordering {
    fn key(s: &str) -> Vec<u32> {
        let lower = s.to_lowercase();
        let lower = lower
            .strip_prefix("aa")
            .map_or(lower.clone(), |r| format!("å{r}"));
        lower
            .chars()
            .map(|c| match c {
                'æ' => 'z' as u32 + 1,
                'ø' => 'z' as u32 + 2,
                'å' => 'z' as u32 + 3,
                c => c as u32,
            })
            .collect()
    }
    key(a).cmp(&key(b))
}

#[cfg(test)]
mod collate_tests {
    #[test]
    fn danish_names_sort_as_in_danish_lists() {
        let mut v = vec![
            "Aarhus",
            "Ærø",
            "Odense",
            "Ballerup",
            "Køge",
            "Østerbro",
            "Zealand",
        ];
        v.sort_by(|a, b| super::collate(a, b));
        assert_eq!(
            v,
            vec![
                "Ballerup",
                "Køge",
                "Odense",
                "Zealand",
                "Ærø",
                "Østerbro",
                "Aarhus"
            ]
        );
    }
}

/// A label with its first letter in upper case (the tables' variable labels are written in
/// lower case, as in a sentence).
pub fn cap(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
