//! CPR numbers: recognising them and masking them. A raw CPR number must never reach disk or
//! logs; every text that might contain one goes through [`mask`].

/// The 10 digits of a CPR number written `DDMMYY-XXXX` or `DDMMYYXXXX`, if `s` is one.
/// The date part must be a plausible day (01–31) and month (01–12).
pub fn digits(s: &str) -> Option<[u8; 10]> {
    let b = s.trim().as_bytes();
    let mut out = [0u8; 10];
    let src: Vec<u8> = match b.len() {
        10 => b.to_vec(),
        11 if b[6] == b'-' => b[..6].iter().chain(&b[7..]).copied().collect(),
        _ => return None,
    };
    for (o, c) in out.iter_mut().zip(&src) {
        if !c.is_ascii_digit() {
            return None;
        }
        *o = *c;
    }
    let dd = (out[0] - b'0') * 10 + (out[1] - b'0');
    let mm = (out[2] - b'0') * 10 + (out[3] - b'0');
    if !(1..=31).contains(&dd) || !(1..=12).contains(&mm) {
        return None;
    }
    Some(out)
}

/// Replace every run of digits that could be a CPR number (10 digits, optionally with a dash
/// after the sixth) by `XXXXXX-XXXX`. Longer or shorter digit runs are left alone except that
/// any run of 10 or more digits is masked whole.
pub fn mask(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let mut j = i;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let run = j - i;
            // DDMMYY-XXXX
            if run == 6
                && j + 5 <= b.len()
                && b[j] == b'-'
                && b[j + 1..j + 5].iter().all(u8::is_ascii_digit)
            {
                out.push_str("XXXXXX-XXXX");
                i = j + 5;
                continue;
            }
            if run >= 10 {
                out.push_str("XXXXXX-XXXX");
            } else {
                out.push_str(&text[i..j]);
            }
            i = j;
        } else {
            let ch = text[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_both_forms() {
        assert_eq!(digits("010190-1234"), digits("0101901234"));
        assert!(digits("010190-1234").is_some());
        assert!(digits("320190-1234").is_none());
        assert!(digits("011390-1234").is_none());
        assert!(digits("01019-1234").is_none());
        assert!(digits("abc").is_none());
    }

    #[test]
    fn masks_cpr_like_runs_only() {
        assert_eq!(mask("x,010190-1234,y"), "x,XXXXXX-XXXX,y");
        assert_eq!(mask("0101901234"), "XXXXXX-XXXX");
        assert_eq!(mask("2023-02-30;101"), "2023-02-30;101");
        assert_eq!(mask("København 010190-12345"), "København XXXXXX-XXXX5");
    }
}
