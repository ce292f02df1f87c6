//! Numbers as readers expect them: thousands separators and the decimal sign of the language;
//! the status symbols (`..`, `.`, `-`) for values that are not numbers.

use samtalebank_model::Lang;
use samtalebank_pxweb::format_value;
use samtalebank_release::Value;

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
