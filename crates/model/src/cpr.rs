//! CPR numbers: recognising them and masking them. A raw CPR number must never reach disk or
//! logs; every text that might contain one goes through [`mask`].
//!
//! A CPR number is ten digits, `DDMMYY` and four more, and is written many ways: `081079-9026`,
//! `0810799026`, `081079 9026`, `08.10.79-9026`, `08/10/79-9026`, in full-width digits
//! (`０８１０７９－９０２６`), or as a number that lost its leading zero (`810799026` from an
//! integer column). [`digits`] reads all of these in the `cpr` column; [`mask`] hides all of
//! them, and anything else that looks like them, wherever they stand in a text.

/// The digit a character stands for: ASCII and full-width digits, and the decimal digits of
/// other scripts.
fn digit_value(c: char) -> Option<u8> {
    if let Some(d) = c.to_digit(10) {
        return Some(d as u8);
    }
    match c {
        '\u{FF10}'..='\u{FF19}' => Some((c as u32 - 0xFF10) as u8),
        // Arabic-Indic, Extended Arabic-Indic, Devanagari, Bengali digits.
        '\u{0660}'..='\u{0669}' => Some((c as u32 - 0x0660) as u8),
        '\u{06F0}'..='\u{06F9}' => Some((c as u32 - 0x06F0) as u8),
        '\u{0966}'..='\u{096F}' => Some((c as u32 - 0x0966) as u8),
        '\u{09E6}'..='\u{09EF}' => Some((c as u32 - 0x09E6) as u8),
        // Mathematical digits (bold, double-struck, sans-serif, monospace …).
        '\u{1D7CE}'..='\u{1D7FF}' => Some(((c as u32 - 0x1D7CE) % 10) as u8),
        _ => None,
    }
}

/// Characters that may stand between the groups of a CPR number.
fn is_separator(c: char) -> bool {
    matches!(
        c,
        '-' | ' ' | '.' | '/' | '_' | '\u{00A0}' | '\u{2007}' | '\u{202F}' | '\u{3000}' | '\u{2010}'
            ..='\u{2015}' | '\u{2212}' | '\u{FE63}' | '\u{FF0D}' | '\u{FF0E}' | '\u{FF0F}'
    )
}

/// The 10 digits of a CPR number in any of the notations above (separators between the groups,
/// full-width digits), if `s` is one. The date part must be a plausible day (01–31) and month
/// (01–12). (An integer column's nine digits are padded by the reader of that column.)
pub fn digits(s: &str) -> Option<[u8; 10]> {
    let mut d = Vec::with_capacity(10);
    for c in s.trim().chars() {
        match digit_value(c) {
            Some(v) if d.len() < 10 => d.push(v),
            Some(_) => return None,
            None if is_separator(c) && !d.is_empty() => {}
            None => return None,
        }
    }
    if d.len() != 10 {
        return None;
    }
    let dd = d[0] * 10 + d[1];
    let mm = d[2] * 10 + d[3];
    if !(1..=31).contains(&dd) || !(1..=12).contains(&mm) {
        return None;
    }
    let mut out = [0u8; 10];
    for (o, v) in out.iter_mut().zip(&d) {
        *o = b'0' + v;
    }
    Some(out)
}

/// What a masked number is replaced by.
pub const MASK: &str = "XXXXXX-XXXX";

/// Replace every number that could be a CPR number by [`MASK`]: a run of digits (any script)
/// whose groups are joined by at most three separators (`-`, space, `.`, `/`, their full-width
/// and typographic forms) is masked whole when it holds 9 or more digits. Shorter numbers
/// (dates, codes, counts) are left alone. Linear in the length of the text.
pub fn mask(text: &str) -> String {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if digit_value(chars[i].1).is_none() {
            out.push(chars[i].1);
            i += 1;
            continue;
        }
        // Extend over digits and short runs of separators followed by a digit.
        let start = i;
        let mut end = i; // one past the last digit
        let mut n_digits = 0usize;
        let mut j = i;
        loop {
            while j < chars.len() && digit_value(chars[j].1).is_some() {
                n_digits += 1;
                j += 1;
            }
            end = end.max(j);
            let mut k = j;
            while k < chars.len() && k - j < 3 && is_separator(chars[k].1) {
                k += 1;
            }
            if k > j && k < chars.len() && digit_value(chars[k].1).is_some() {
                j = k;
            } else {
                break;
            }
        }
        let byte = |idx: usize| chars.get(idx).map_or(text.len(), |c| c.0);
        if n_digits >= 9 {
            out.push_str(MASK);
        } else {
            out.push_str(&text[byte(start)..byte(end)]);
        }
        i = end;
    }
    out
}

/// Does a text hold something [`mask`] would hide?
pub fn contains_cpr_like(text: &str) -> bool {
    mask(text) != text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_every_notation_of_one_number() {
        let want = Some(*b"0810799026");
        for s in [
            "081079-9026",
            "0810799026",
            "081079 9026",
            "08.10.79-9026",
            "08/10/79-9026",
            "08.10.79 9026",
            "０８１０７９－９０２６",
            "０８１０７９９０２６",
            " 081079-9026 ",
        ] {
            assert_eq!(digits(s), want, "{s}");
        }
        assert!(
            digits("810799026").is_none(),
            "nine digits are not a CPR number"
        );
        assert!(digits("320190-1234").is_none());
        assert!(digits("011390-1234").is_none());
        assert!(digits("01019-123").is_none());
        assert!(digits("abc").is_none());
        assert!(digits("-0810799026").is_none());
        assert!(digits("08107990261").is_none());
    }

    #[test]
    fn masks_every_notation_wherever_it_stands() {
        for s in [
            "081079-9026",
            "0810799026",
            "081079 9026",
            "08.10.79-9026",
            "08/10/79-9026",
            "08 10 79 - 9026",
            "０８１０７９－９０２６",
            "０８１０７９９０２６",
            "٠٨١٠٧٩٩٠٢٦",
            "810799026",
            "010190-12345",
        ] {
            let t = format!("S-{s},x;y 'id {s}'");
            let m = mask(&t);
            assert_eq!(m.matches(MASK).count(), 2, "{t} → {m}");
            assert!(!m.contains("9026") && !m.contains("９０２６"), "{t} → {m}");
        }
    }

    #[test]
    fn leaves_dates_codes_and_counts_alone() {
        for s in [
            "2023-02-30;101",
            "x,2023-02-30,101,telefon",
            "line 12 of 340",
            "København 2019-01-01",
            "12345678",
            "",
            "æøå",
        ] {
            assert_eq!(mask(s), s);
            assert!(!contains_cpr_like(s));
        }
    }

    #[test]
    fn a_long_run_of_digit_groups_is_one_masked_number() {
        let long = "1-".repeat(200_000);
        assert_eq!(mask(&long), format!("{MASK}-"));
    }
}
