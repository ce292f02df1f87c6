//! The fast path of a register row: the fields' bytes are checked and turned into codes by
//! table lookup, without making a string of any of them. It accepts only rows in the plain form
//! the registers deliver (codes as written in the code lists, dates as `YYYY-MM-DD`, CPR numbers
//! as `DDMMYY-XXXX` or `DDMMYYXXXX`, no surrounding spaces); any other row — a bad one, or a good
//! one in another accepted notation — goes to the full validation (`validate::row`), which gives
//! the same result for every row the fast path accepts and the reasons for a rejected one.

use std::sync::OnceLock;

use samtalebank_model::{time, vocab};
use samtalebank_store::{ForloebRecord, SamtaleRecord};

use crate::csvrows::FieldBytes;
use crate::input::{Header, Table};
use crate::pseudonym::Pseudonymiser;
use crate::validate::Row;

const NONE: u8 = u8::MAX;

/// Codes by their exact bytes.
struct Exact(Vec<(Box<[u8]>, u8)>);

impl Exact {
    fn of(voc: &samtalebank_model::vocab::Vocab) -> Exact {
        Exact(
            voc.entries
                .iter()
                .filter_map(|e| Some((e.code.as_bytes().into(), voc.lookup(&e.code)?)))
                .collect(),
        )
    }
    fn get(&self, b: &[u8]) -> Option<u8> {
        self.0
            .iter()
            .find(|(k, _)| k.len() == b.len() && k.first() == b.first() && **k == *b)
            .map(|(_, c)| *c)
    }
}

/// The lookup tables of the fast path, made once from the model's vocabularies.
struct Codes {
    /// Municipality index by its 3-digit number.
    kommune: Vec<u8>,
    groups: Exact,
    maalgrupper: Exact,
    samtaletyper: Exact,
    samtaleformer: Exact,
    /// The ydelse leaf by group and target group (`0` = none, `m + 1` = target group `m`), as
    /// `Ydelser::leaf` gives it after dropping a target group where the group is not split;
    /// `NONE` where that is an error.
    leaf: Vec<Vec<u8>>,
}

fn codes() -> &'static Codes {
    static CODES: OnceLock<Codes> = OnceLock::new();
    CODES.get_or_init(|| {
        let v = vocab();
        let kommune = (0..1000u16)
            .map(|n| v.kommuner.lookup(&format!("{n:03}")).unwrap_or(NONE))
            .collect();
        let leaf = (0..v.ydelser.groups.len() as u8)
            .map(|g| {
                std::iter::once(None)
                    .chain((0..v.maalgrupper.len() as u8).map(Some))
                    .map(|m| {
                        let m = if v.ydelser.split[g as usize] { m } else { None };
                        v.ydelser.leaf(g, m).unwrap_or(NONE)
                    })
                    .collect()
            })
            .collect();
        Codes {
            kommune,
            groups: Exact::of(&v.ydelser.groups),
            maalgrupper: Exact::of(&v.maalgrupper),
            samtaletyper: Exact::of(&v.samtaletyper),
            samtaleformer: Exact::of(&v.samtaleformer),
            leaf,
        }
    })
}

/// Where a table's columns are in a file.
pub(crate) struct Plan {
    table: Table,
    ncols: usize,
    id: usize,
    cpr: Option<usize>,
    person_id: Option<usize>,
    kommune: usize,
    ydelse: usize,
    maalgruppe: Option<usize>,
    /// `dato` (samtaler) or `start` (forloeb).
    date: usize,
    samtaletype: usize,
    samtaleform: usize,
    slut: Option<usize>,
}

impl Plan {
    /// The plan for a file whose header has passed `check_header` (the required columns are
    /// there); `None` for a table the fast path does not read.
    pub fn new(table: Table, h: &Header) -> Option<Plan> {
        let at = |c: &str| h.position(c);
        let (id, date) = match table {
            Table::Samtaler => (at("samtale_id")?, at("dato")?),
            Table::Forloeb => (at("forloeb_id")?, at("start")?),
            _ => return None,
        };
        let samtaler = table == Table::Samtaler;
        Some(Plan {
            table,
            ncols: h.names.len(),
            id,
            cpr: at("cpr"),
            person_id: at("person_id"),
            kommune: at("kommune")?,
            ydelse: at("ydelse")?,
            maalgruppe: at("maalgruppe"),
            date,
            samtaletype: if samtaler { at("samtaletype")? } else { 0 },
            samtaleform: if samtaler { at("samtaleform")? } else { 0 },
            slut: at("slut"),
        })
    }

    /// The row, if it is in the plain form and valid; `None` sends it to the full validation.
    pub fn row(&self, f: &impl FieldBytes, pseudo: &mut Pseudonymiser) -> Option<Row> {
        if f.len() != self.ncols {
            return None;
        }
        let c = codes();
        let get = |i: usize| f.get(i);
        let id = plain(get(self.id))?;
        let (person, pkey) = match self.cpr.map(get).filter(|b| !b.is_empty()) {
            Some(b) => pseudo.cpr_keys(cpr_digits(b)?),
            None => {
                let p = plain(get(self.person_id?))?;
                let person = pseudo.person_id(std::str::from_utf8(p).ok()?);
                (person, pseudo.person_cell_key(person))
            }
        };
        let k = plain(get(self.kommune))?;
        let kommune = match k {
            [a, b, d] if k.iter().all(u8::is_ascii_digit) => {
                let n = usize::from(a - b'0') * 100 + usize::from(b - b'0') * 10;
                c.kommune[n + usize::from(d - b'0')]
            }
            _ => return None,
        };
        if kommune == NONE {
            return None;
        }
        let group = c.groups.get(plain(get(self.ydelse))?)?;
        let m = match self.maalgruppe.map(get).filter(|b| !b.is_empty()) {
            Some(b) => usize::from(c.maalgrupper.get(plain(b)?)?) + 1,
            None => 0,
        };
        let ydelse = c.leaf[usize::from(group)][m];
        if ydelse == NONE {
            return None;
        }
        let date = ymd(get(self.date))?;
        match self.table {
            Table::Samtaler => {
                let samtaletype = c.samtaletyper.get(plain(get(self.samtaletype))?)?;
                let samtaleform = c.samtaleformer.get(plain(get(self.samtaleform))?)?;
                let (rkey, id) = pseudo.record_keys_bytes(b"samtale", id);
                Some(Row::Samtale(SamtaleRecord {
                    id,
                    person,
                    dato: date,
                    kommune,
                    ydelse,
                    samtaletype,
                    samtaleform,
                    rkey,
                    pkey,
                }))
            }
            Table::Forloeb => {
                let slut = match self.slut.map(get).filter(|b| !b.is_empty()) {
                    Some(b) => Some(ymd(b)?),
                    None => None,
                };
                if slut.is_some_and(|s| s < date) {
                    return None;
                }
                let (rkey, id) = pseudo.record_keys_bytes(b"forloeb", id);
                Some(Row::Forloeb(ForloebRecord {
                    id,
                    person,
                    kommune,
                    ydelse,
                    start: date,
                    slut,
                    rkey,
                    pkey,
                }))
            }
            _ => None,
        }
    }
}

/// A value without surrounding spaces (first and last byte printable ASCII).
fn plain(b: &[u8]) -> Option<&[u8]> {
    match (b.first(), b.last()) {
        (Some(x), Some(y)) if x.is_ascii_graphic() && y.is_ascii_graphic() => Some(b),
        _ => None,
    }
}

/// `DDMMYY-XXXX` or `DDMMYYXXXX`, with a possible day and month, as `cpr::digits` gives it.
fn cpr_digits(b: &[u8]) -> Option<[u8; 10]> {
    let mut d = [0u8; 10];
    match b.len() {
        10 => d.copy_from_slice(b),
        11 if b[6] == b'-' => {
            d[..6].copy_from_slice(&b[..6]);
            d[6..].copy_from_slice(&b[7..]);
        }
        _ => return None,
    }
    if !d.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let dd = (d[0] - b'0') * 10 + (d[1] - b'0');
    let mm = (d[2] - b'0') * 10 + (d[3] - b'0');
    ((1..=31).contains(&dd) && (1..=12).contains(&mm)).then_some(d)
}

/// `YYYY-MM-DD` → days since 1970-01-01, for a date that exists.
fn ymd(b: &[u8]) -> Option<i32> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &x| {
            x.is_ascii_digit().then(|| acc * 10 + u32::from(x - b'0'))
        })
    };
    let y = n(0..4)? as i32;
    chrono::NaiveDate::from_ymd_opt(y, n(5..7)?, n(8..10)?).map(time::to_days)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast parsers accept the plain notations, and whatever they accept the full parsers
    /// read the same way (what they decline goes to the full validation).
    #[test]
    fn dates_and_cpr_numbers_agree_with_the_full_parsers() {
        for s in [
            "2024-02-29",
            "2023-02-29",
            "2023-13-01",
            "1999-12-31",
            "2024-00-10",
            "2024-1-010",
            "0000-01-01",
            "29.02.2024",
            "2024-02-3x",
        ] {
            if let Some(d) = ymd(s.as_bytes()) {
                assert_eq!(Some(d), time::parse_date(s).ok(), "date {s}");
            } else if s.as_bytes()[4] == b'-' {
                assert!(time::parse_date(s).is_err(), "date {s}");
            }
        }
        assert!(ymd(b"2024-02-29").is_some() && ymd(b"1999-12-31").is_some());
        for s in [
            "010190-1234",
            "0101901234",
            "320190-1234",
            "011390-1234",
            "001290-1234",
            "01019-12345",
            "010190+1234",
            "010190 1234",
        ] {
            if let Some(d) = cpr_digits(s.as_bytes()) {
                assert_eq!(Some(d), samtalebank_model::cpr::digits(s), "cpr {s}");
            }
        }
        assert_eq!(cpr_digits(b"010190-1234"), Some(*b"0101901234"));
        assert_eq!(cpr_digits(b"0101901234"), Some(*b"0101901234"));
        assert_eq!(cpr_digits(b"320190-1234"), None);
    }
}
