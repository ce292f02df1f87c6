//! Codelists (PxWeb `/codelists/{id}` and `codelist[VAR]`): other ways to list a variable's
//! values. For `omraade`: the regions as aggregations of their municipalities (`agg_region`),
//! the municipalities alone (`vs_kommune`), and each municipality group a user saved for
//! benchmarks (`vs_gruppe_NAME`). For `tid`: each period type (`vs_aar`, `vs_kvartal`,
//! `vs_maaned`). For a variable whose values apply within another's (SURV01's `svar` within
//! `spoergsmaal`): one valueset per value of the other, `vs_svar_interesse` = the answers and
//! groupings of question `interesse`. A table's regions are published cells of their own (perturbed like every
//! count), so an aggregation selects them; it never sums published municipalities.

use samtalebank_model::{vocab, AreaLevel, Lang, PeriodKind};
use samtalebank_release::TableMeta;
use serde_json::{json, Value as J};

/// One codelist of one variable.
#[derive(Debug, Clone)]
pub struct Codelist {
    pub id: String,
    pub label_da: String,
    pub label_en: String,
    /// An aggregation (each value stands for several of the variable's values) or a valueset
    /// (a subset of the variable's values).
    pub aggregation: bool,
    /// The variable it applies to.
    pub variable: String,
    /// The variable's category indices it selects, in the table's order.
    pub members: Vec<usize>,
    /// Per member: the variable's codes it stands for (itself, for a valueset).
    pub value_map: Vec<Vec<String>>,
}

/// A saved municipality group: its name and its municipalities' codes.
pub type Group = (String, Vec<String>);

/// Is `name` usable in a codelist id (letters, digits, `_`, `-`)?
fn id_safe(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The codelists of a table's variables.
pub fn for_table(meta: &TableMeta, groups: &[Group]) -> Vec<Codelist> {
    let mut out = Vec::new();
    for d in &meta.dimensions {
        let code = |i: usize| d.categories[i].code.clone();
        if let Some(n) = meta.nesting.as_ref().filter(|n| n.inner == d.id) {
            for (outer, inner) in n.members.iter().filter(|(o, _)| id_safe(o)) {
                let mut members: Vec<usize> = inner.iter().filter_map(|c| d.position(c)).collect();
                members.sort_unstable();
                members.dedup();
                if members.is_empty() {
                    continue;
                }
                out.push(Codelist {
                    id: format!("vs_{}_{outer}", d.id),
                    label_da: format!("Svar på {outer}"),
                    label_en: format!("Answers to {outer}"),
                    aggregation: false,
                    variable: d.id.clone(),
                    value_map: members.iter().map(|&i| vec![code(i)]).collect(),
                    members,
                });
            }
        }
        if d.role == "geo" {
            let v = vocab();
            let regions: Vec<usize> = (0..d.categories.len())
                .filter(|&i| AreaLevel::of(&d.categories[i].code) == Some(AreaLevel::Region))
                .collect();
            let kommuner: Vec<usize> = (0..d.categories.len())
                .filter(|&i| AreaLevel::of(&d.categories[i].code) == Some(AreaLevel::Kommune))
                .collect();
            if !regions.is_empty() {
                let value_map = regions
                    .iter()
                    .map(|&r| {
                        v.kommuner
                            .list
                            .iter()
                            .filter(|k| {
                                v.kommuner.regions[k.region as usize].code.to_string()
                                    == d.categories[r].code
                            })
                            .map(|k| k.code.to_string())
                            .filter(|c| d.position(c).is_some())
                            .collect()
                    })
                    .collect();
                out.push(Codelist {
                    id: "agg_region".into(),
                    label_da: "Regioner".into(),
                    label_en: "Regions".into(),
                    aggregation: true,
                    variable: d.id.clone(),
                    members: regions,
                    value_map,
                });
            }
            if !kommuner.is_empty() {
                out.push(Codelist {
                    id: "vs_kommune".into(),
                    label_da: "Kommuner".into(),
                    label_en: "Municipalities".into(),
                    aggregation: false,
                    variable: d.id.clone(),
                    value_map: kommuner.iter().map(|&i| vec![code(i)]).collect(),
                    members: kommuner,
                });
            }
            for (name, codes) in groups.iter().filter(|(n, _)| id_safe(n)) {
                let mut members: Vec<usize> = codes.iter().filter_map(|c| d.position(c)).collect();
                members.sort_unstable();
                members.dedup();
                if members.is_empty() {
                    continue;
                }
                out.push(Codelist {
                    id: format!("vs_gruppe_{name}"),
                    label_da: format!("Kommunegruppe {name}"),
                    label_en: format!("Municipality group {name}"),
                    aggregation: false,
                    variable: d.id.clone(),
                    value_map: members.iter().map(|&i| vec![code(i)]).collect(),
                    members,
                });
            }
        }
        if d.is_time() {
            for (kind, id, da, en) in [
                (PeriodKind::Year, "vs_aar", "År", "Years"),
                (PeriodKind::Quarter, "vs_kvartal", "Kvartaler", "Quarters"),
                (PeriodKind::Month, "vs_maaned", "Måneder", "Months"),
            ] {
                let members: Vec<usize> = (0..d.categories.len())
                    .filter(|&i| PeriodKind::of(&d.categories[i].code) == kind)
                    .collect();
                if members.is_empty() {
                    continue;
                }
                out.push(Codelist {
                    id: id.into(),
                    label_da: da.into(),
                    label_en: en.into(),
                    aggregation: false,
                    variable: d.id.clone(),
                    value_map: members.iter().map(|&i| vec![code(i)]).collect(),
                    members,
                });
            }
        }
    }
    out
}

impl Codelist {
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::Da => &self.label_da,
            Lang::En => &self.label_en,
        }
    }

    fn kind(&self) -> &'static str {
        if self.aggregation {
            "Aggregation"
        } else {
            "Valueset"
        }
    }

    fn href(&self, lang: Lang) -> String {
        format!("/api/v2/codelists/{}?lang={}", self.id, lang.code())
    }

    /// The codelist as a variable's metadata lists it (PxWeb `CodelistInformation`).
    pub fn info_json(&self, lang: Lang) -> J {
        json!({
            "id": self.id,
            "label": self.label(lang),
            "type": self.kind(),
            "links": [{"rel": "metadata", "hreflang": lang.code(), "href": self.href(lang)}],
        })
    }

    /// The `/codelists/{id}` response (PxWeb `CodelistResponse`), with the labels of `meta`.
    pub fn response_json(&self, meta: &TableMeta, lang: Lang) -> J {
        let d = meta.dimension(&self.variable).map(|x| x.1);
        let values: Vec<J> = self
            .members
            .iter()
            .zip(&self.value_map)
            .filter_map(|(&i, map)| {
                let c = d?.categories.get(i)?;
                Some(json!({"code": c.code, "label": c.label(lang), "valueMap": map}))
            })
            .collect();
        json!({
            "id": self.id,
            "label": self.label(lang),
            "language": lang.code(),
            "languages": ["da", "en"],
            "elimination": false,
            "type": self.kind(),
            "values": values,
            "links": [{"rel": "self", "hreflang": lang.code(), "href": self.href(lang)}],
        })
    }
}
