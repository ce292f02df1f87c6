//! The time rules of docs/spec.md §3, in one place.
//!
//! Dates are whole days since 1970-01-01 (`i32`, as Arrow's `Date32`). A spell's start is day 0;
//! the day number of date `d` is `t = d - start`; `slut` is the last day on the benefit.

use chrono::{Datelike, NaiveDate};

/// 6 weeks (1½ months): "within 6 weeks" is day 0..=41.
pub const DAYS_6W: i32 = 42;
/// 13 weeks (3 months): "within 13 weeks" is day 0..=90.
pub const DAYS_13W: i32 = 91;
/// 26 weeks (6 months).
pub const DAYS_26W: i32 = 182;
/// 52 weeks (12 months).
pub const DAYS_52W: i32 = 364;

/// Duration bands of SAMT01 (`varighed`), as leaf indices.
pub const BAND_CODES: [&str; 5] = ["0-3", "3-6", "6-12", "12+", "uoplyst"];
pub const BAND_LABELS_DA: [&str; 5] = [
    "0-3 måneder",
    "3-6 måneder",
    "6-12 måneder",
    "12 måneder og derover",
    "Uoplyst (intet forløb)",
];
pub const BAND_LABELS_EN: [&str; 5] = [
    "0-3 months",
    "3-6 months",
    "6-12 months",
    "12 months or more",
    "Unknown (no spell)",
];
/// The band of conversations that no spell covers.
pub const BAND_UNKNOWN: u8 = 4;

/// Duration band for day number `t` (t ≥ 0): 0-3 = 0..=90, 3-6 = 91..=181, 6-12 = 182..=363, 12+ = 364..
pub fn band(t: i32) -> u8 {
    if t < DAYS_13W {
        0
    } else if t < DAYS_26W {
        1
    } else if t < DAYS_52W {
        2
    } else {
        3
    }
}

/// Does a spell (start, slut; `None` = open) cover date `d`?
pub fn covers(start: i32, slut: Option<i32>, d: i32) -> bool {
    start <= d && slut.is_none_or(|s| d <= s)
}

const EPOCH_CE_DAYS: i32 = 719_163; // days from 0001-01-01 to 1970-01-01

pub fn to_days(d: NaiveDate) -> i32 {
    d.num_days_from_ce() - EPOCH_CE_DAYS
}

pub fn from_days(days: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(days + EPOCH_CE_DAYS).unwrap_or(NaiveDate::MIN)
}

/// Parse `YYYY-MM-DD`, `DD-MM-YYYY` or `DD.MM.YYYY` (docs/spec.md §1.1). Rejects impossible dates
/// such as 2023-02-30.
pub fn parse_date(s: &str) -> Result<i32, crate::Invalid> {
    let s = s.trim();
    let b = s.as_bytes();
    let fmt = if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        "%Y-%m-%d"
    } else if b.len() == 10 && b[2] == b'-' && b[5] == b'-' {
        "%d-%m-%Y"
    } else if b.len() == 10 && b[2] == b'.' && b[5] == b'.' {
        "%d.%m.%Y"
    } else {
        return Err(crate::Invalid(format!(
            "'{s}' is not a date (expected YYYY-MM-DD, DD-MM-YYYY or DD.MM.YYYY)"
        )));
    };
    NaiveDate::parse_from_str(s, fmt)
        .map(to_days)
        .map_err(|_| crate::Invalid(format!("'{s}' is not a valid calendar date")))
}

/// Absolute month number (year * 12 + month0) of a day.
pub fn month_of(days: i32) -> i32 {
    let d = from_days(days);
    d.year() * 12 + d.month0() as i32
}

/// First day of an absolute month.
pub fn month_start(month: i32) -> i32 {
    to_days(
        NaiveDate::from_ymd_opt(month.div_euclid(12), month.rem_euclid(12) as u32 + 1, 1)
            .unwrap_or(NaiveDate::MIN),
    )
}

/// Period codes of docs/spec.md §3.1.
pub fn month_code(month: i32) -> String {
    format!("{}M{:02}", month.div_euclid(12), month.rem_euclid(12) + 1)
}

pub fn quarter_code(month: i32) -> String {
    format!("{}K{}", month.div_euclid(12), month.rem_euclid(12) / 3 + 1)
}

pub fn year_code(month: i32) -> String {
    month.div_euclid(12).to_string()
}

/// The last day of a period code (`2023`, `2023K2`, `2023M04`): a period's reference day.
pub fn period_last_day(code: &str) -> Option<i32> {
    let year: i32 = code.get(..4)?.parse().ok()?;
    let last_month = match code.get(4..5) {
        None => 12,
        Some("K") => code.get(5..)?.parse::<i32>().ok()? * 3,
        Some("M") => code.get(5..)?.parse::<i32>().ok()?,
        _ => return None,
    };
    if !(1..=12).contains(&last_month) {
        return None;
    }
    // The first day of the month after the period, minus one.
    Some(month_start(year * 12 + last_month) - 1)
}

/// Can the spells that start in period `code` be followed `days` days (day 0 to day
/// `days` − 1) up to the data's last day `end`? (SAMT02: 6 weeks = 42 days, 13 weeks = 91.)
pub fn followed(code: &str, days: i32, end: i32) -> bool {
    period_last_day(code).is_some_and(|last| last + days - 1 <= end)
}

/// Is a reference-day indicator (SAMT03) available for period `code`: its reference day and the
/// 13 weeks before it inside the data (`start` ..= `end`)?
pub fn intensity_available(code: &str, start: i32, end: i32) -> bool {
    period_last_day(code).is_some_and(|r| r <= end && r - (DAYS_13W - 1) >= start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_follow_spec_day_limits() {
        assert_eq!(band(0), 0);
        assert_eq!(band(90), 0);
        assert_eq!(band(91), 1);
        assert_eq!(band(181), 1);
        assert_eq!(band(182), 2);
        assert_eq!(band(363), 2);
        assert_eq!(band(364), 3);
    }

    #[test]
    fn dates_in_three_formats_and_impossible_dates() {
        let d = parse_date("2023-03-01").unwrap();
        assert_eq!(parse_date("01-03-2023").unwrap(), d);
        assert_eq!(parse_date("01.03.2023").unwrap(), d);
        assert_eq!(parse_date("2023-02-28").unwrap(), d - 1);
        assert!(parse_date("2023-02-30").is_err());
        assert!(parse_date("2023/03/01").is_err());
        assert_eq!(parse_date("1970-01-01").unwrap(), 0);
        assert_eq!(month_code(month_of(d)), "2023M03");
        assert_eq!(quarter_code(month_of(d)), "2023K1");
        assert_eq!(month_start(month_of(d)), d);
        assert_eq!(period_last_day("2023"), parse_date("2023-12-31").ok());
        assert_eq!(period_last_day("2024K1"), parse_date("2024-03-31").ok());
        assert_eq!(period_last_day("2024M02"), parse_date("2024-02-29").ok());
        assert_eq!(period_last_day("2024M13"), None);
    }

    #[test]
    fn availability_of_periods() {
        let end = parse_date("2023-05-11").unwrap();
        // March 2023 ends on the 31st: day 41 is 10 May, day 90 is 28 June.
        assert!(followed("2023M03", DAYS_6W, end));
        assert!(!followed("2023M03", DAYS_6W, end - 1));
        assert!(!followed("2023M03", DAYS_13W, end));
        assert!(!followed("nonsense", DAYS_6W, end));
        let start = parse_date("2023-01-01").unwrap();
        // April: 30 April - 90 days = 30 January; March's 13 weeks start before the data.
        assert!(intensity_available("2023M04", start, end));
        assert!(!intensity_available("2023M03", start, end));
        assert!(!intensity_available("2023M05", start, end));
    }

    #[test]
    fn coverage_is_inclusive_of_slut() {
        assert!(covers(10, Some(20), 20));
        assert!(!covers(10, Some(20), 21));
        assert!(covers(10, None, 10_000));
        assert!(!covers(10, None, 9));
    }
}
