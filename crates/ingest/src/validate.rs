//! Validation of one row: every problem is reported with its column and a clear reason. Reasons
//! never quote a CPR field (and every reason is masked again before it is written).

use samtalebank_model::{cpr, time, vocab};
use samtalebank_store::{ForloebRecord, SamtaleRecord};

use crate::input::{Fields, Table};
use crate::pseudonym::Pseudonymiser;

pub(crate) enum Row {
    Samtale(SamtaleRecord),
    Forloeb(ForloebRecord),
}

impl Row {
    pub fn fingerprint(&self) -> u64 {
        match self {
            Row::Samtale(r) => r.fingerprint(),
            Row::Forloeb(r) => r.fingerprint(),
        }
    }
    /// The id as stored (pseudonymised): the key of duplicate and conflict checks.
    pub fn stored_id(&self) -> u64 {
        match self {
            Row::Samtale(r) => r.id as u64,
            Row::Forloeb(r) => r.id as u64,
        }
    }
}

type Problems = Vec<(String, String)>;

struct Check<'a, 'f> {
    f: &'a Fields<'f>,
    problems: Problems,
}

impl Check<'_, '_> {
    fn fail(&mut self, col: &str, reason: String) {
        self.problems.push((col.to_string(), reason));
    }

    fn required(&mut self, col: &str) -> Option<&str> {
        match self.f.get(col) {
            Some(v) if !v.is_empty() => Some(v),
            _ => {
                self.fail(col, "missing value".into());
                None
            }
        }
    }

    fn code(&mut self, col: &str, voc: &samtalebank_model::vocab::Vocab) -> Option<u8> {
        let v = self.required(col)?.to_string();
        let c = voc.lookup(&v);
        if c.is_none() {
            self.fail(
                col,
                format!("unknown {col} '{v}' (expected one of {})", voc.codes()),
            );
        }
        c
    }

    fn kommune(&mut self) -> Option<u8> {
        let v = self.required("kommune")?.to_string();
        let c = vocab().kommuner.lookup(&v);
        if c.is_none() {
            self.fail("kommune", format!("unknown kommune '{v}' (expected a 3-digit municipality code, see reference/kommuner.csv)"));
        }
        c
    }

    fn date(&mut self, col: &str) -> Option<i32> {
        let v = self.required(col)?.to_string();
        match time::parse_date(&v) {
            Ok(d) => Some(d),
            Err(e) => {
                self.fail(col, e.0);
                None
            }
        }
    }

    /// The person key and the person's cell key.
    fn person(&mut self, pseudo: &mut Pseudonymiser) -> Option<(i64, u32)> {
        if let Some(c) = self.f.get("cpr").filter(|c| !c.is_empty()) {
            return match cpr::digits(c) {
                Some(d) => Some(pseudo.cpr_keys(d)),
                None => {
                    self.fail(
                        "cpr",
                        "not a CPR number (expected DDMMYY-XXXX or DDMMYYXXXX)".into(),
                    );
                    None
                }
            };
        }
        match self.f.get("person_id").filter(|c| !c.is_empty()) {
            Some(p) => {
                let person = pseudo.person_id(p);
                Some((person, pseudo.person_cell_key(person)))
            }
            None => {
                let col = if self.f.header.has("cpr") {
                    "cpr"
                } else {
                    "person_id"
                };
                self.fail(col, "missing value".into());
                None
            }
        }
    }

    /// Ydelse leaf from `ydelse` and the optional `maalgruppe`.
    fn ydelse(&mut self) -> Option<u8> {
        let v = vocab();
        let group = self.code("ydelse", &v.ydelser.groups);
        let m = match self.f.get("maalgruppe").filter(|m| !m.is_empty()) {
            Some(_) => Some(self.code("maalgruppe", &v.maalgrupper)?),
            None => None,
        };
        let group = group?;
        // A target group only matters where the group is split by it.
        let m = if v.ydelser.split[group as usize] {
            m
        } else {
            None
        };
        match v.ydelser.leaf(group, m) {
            Ok(l) => Some(l),
            Err(e) => {
                self.fail("maalgruppe", e.0);
                None
            }
        }
    }

    fn id(&mut self, col: &str) -> Option<String> {
        self.required(col).map(String::from)
    }
}

pub(crate) fn row(
    table: Table,
    f: &Fields<'_>,
    pseudo: &mut Pseudonymiser,
) -> Result<(String, Row), Problems> {
    if let Some(p) = f.problem {
        return Err(vec![(String::new(), p.to_string())]);
    }
    if f.record.len() != f.header.names.len() {
        return Err(vec![(
            String::new(),
            format!(
                "wrong number of columns: expected {}, found {}",
                f.header.names.len(),
                f.record.len()
            ),
        )]);
    }
    let mut c = Check {
        f,
        problems: Vec::new(),
    };
    let v = vocab();
    let out = match table {
        Table::Samtaler => {
            let id = c.id("samtale_id");
            let person = c.person(pseudo);
            let dato = c.date("dato");
            let kommune = c.kommune();
            let ydelse = c.ydelse();
            let samtaletype = c.code("samtaletype", &v.samtaletyper);
            let samtaleform = c.code("samtaleform", &v.samtaleformer);
            match (id, person, dato, kommune, ydelse, samtaletype, samtaleform) {
                (
                    Some(id),
                    Some((person, pkey)),
                    Some(dato),
                    Some(kommune),
                    Some(ydelse),
                    Some(samtaletype),
                    Some(samtaleform),
                ) if c.problems.is_empty() => {
                    let (rkey, stored_id) = pseudo.record_keys("samtale", &id);
                    Some((
                        id,
                        Row::Samtale(SamtaleRecord {
                            rkey,
                            pkey,
                            id: stored_id,
                            person,
                            dato,
                            kommune,
                            ydelse,
                            samtaletype,
                            samtaleform,
                        }),
                    ))
                }
                _ => None,
            }
        }
        Table::Forloeb => {
            let id = c.id("forloeb_id");
            let person = c.person(pseudo);
            let kommune = c.kommune();
            let ydelse = c.ydelse();
            let start = c.date("start");
            let slut = match f.get("slut").filter(|s| !s.is_empty()) {
                None => Some(None),
                Some(_) => c.date("slut").map(Some),
            };
            if let (Some(s), Some(Some(e))) = (start, slut) {
                if e < s {
                    c.fail("slut", "slut is before start".into());
                }
            }
            match (id, person, kommune, ydelse, start, slut) {
                (
                    Some(id),
                    Some((person, pkey)),
                    Some(kommune),
                    Some(ydelse),
                    Some(start),
                    Some(slut),
                ) if c.problems.is_empty() => {
                    let (rkey, stored_id) = pseudo.record_keys("forloeb", &id);
                    Some((
                        id,
                        Row::Forloeb(ForloebRecord {
                            rkey,
                            pkey,
                            id: stored_id,
                            person,
                            kommune,
                            ydelse,
                            start,
                            slut,
                        }),
                    ))
                }
                _ => None,
            }
        }
        Table::Spoergeskema | Table::Undersoegelse => {
            c.fail(
                "",
                "the survey's files are read by the survey ingest".into(),
            );
            None
        }
    };
    match out {
        Some(r) => Ok(r),
        None if c.problems.is_empty() => Err(vec![(String::new(), "invalid row".into())]),
        None => Err(c.problems),
    }
}
