//! Table definitions: titles, notes, source, measures and how each measure is computed from
//! the published counts.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Measure {
    pub code: String,
    pub label_da: String,
    pub label_en: String,
    pub unit_da: String,
    pub unit_en: String,
    pub decimals: u8,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DimensionMeta {
    pub id: String,
    pub label_da: String,
    pub label_en: String,
    /// `geo`, `time` or empty.
    pub role: String,
    pub categories: Vec<CategoryMeta>,
    /// The code used when a client does not select this variable ("i alt").
    pub total: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CategoryMeta {
    pub code: String,
    pub label_da: String,
    pub label_en: String,
}

/// Everything about a published table except its values (`metadata.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TableMeta {
    pub id: String,
    pub title_da: String,
    pub title_en: String,
    pub description_da: String,
    pub description_en: String,
    pub source: String,
    pub updated: String,
    pub dimensions: Vec<DimensionMeta>,
    /// The measure variable (`maal`, role metric), always the last variable.
    pub measures: Vec<Measure>,
    pub notes_da: Vec<String>,
    pub notes_en: Vec<String>,
    pub threshold: u32,
}

impl TableMeta {
    pub fn dimension(&self, id: &str) -> Option<(usize, &DimensionMeta)> {
        self.dimensions
            .iter()
            .enumerate()
            .find(|(_, d)| d.id.eq_ignore_ascii_case(id))
    }
    pub fn first_period(&self) -> Option<&str> {
        self.time_codes().min()
    }
    pub fn last_period(&self) -> Option<&str> {
        self.time_codes().max()
    }
    fn time_codes(&self) -> impl Iterator<Item = &str> {
        self.dimensions
            .iter()
            .filter(|d| d.role == "time")
            .flat_map(|d| d.categories.iter())
            .filter(|c| c.code.contains('M'))
            .map(|c| c.code.as_str())
    }
}

pub const SOURCE: &str =
    "Samtalebank, built from the jobcentres' register of conversations and benefit spells";

fn m(code: &str, da: &str, en: &str, unit_da: &str, unit_en: &str, decimals: u8) -> Measure {
    Measure {
        code: code.into(),
        label_da: da.into(),
        label_en: en.into(),
        unit_da: unit_da.into(),
        unit_en: unit_en.into(),
        decimals,
    }
}

/// SAMT01's text and measures. `dims` and `updated` come from the build.
pub fn samt01_meta(dimensions: Vec<DimensionMeta>, updated: String, threshold: u32) -> TableMeta {
    TableMeta {
        id: "SAMT01".into(),
        title_da: "Samtaler efter samtaleform".into(),
        title_en: "Conversations by form".into(),
        description_da: "Jobsamtaler, opfølgningssamtaler og fællessamtaler afholdt i jobcentret, efter område, tid, ydelse, samtaletype, samtaleform og ledighedsvarighed.".into(),
        description_en: "Job, follow-up and joint conversations held by the jobcentres, by area, time, benefit, type, form and duration of the benefit spell.".into(),
        source: SOURCE.into(),
        updated,
        dimensions,
        measures: vec![
            m("antal", "Antal samtaler", "Number of conversations", "antal", "number", 0),
            m("pct", "Andel af alle samtaler", "Share of all conversations", "pct.", "per cent", 1),
            m("digital_pct", "Andel telefon- og videosamtaler", "Share by phone or video", "pct.", "per cent", 1),
        ],
        notes_da: vec![
            format!("Diskretionering: antal under {threshold} (og over 0) offentliggøres ikke og vises som '..'; det samme gælder andele beregnet af dem. Sekundær diskretionering (så skjulte tal ikke kan regnes tilbage fra totaler) er endnu ikke indført."),
            "Andel af alle samtaler = samtaler med den valgte samtaleform i pct. af alle samtaler i samme område, tid, ydelse, samtaletype og varighed.".into(),
            "Andel telefon- og videosamtaler = (telefon + video) i pct. af samtalerne i cellen; for samtaleform 'telefon' og 'video' er den 100, for 'fysisk' og 'anden' 0.".into(),
            "Ledighedsvarighed ved samtalen: fra det forløb på samme ydelse, der dækker samtaledatoen, ellers det senest startede dækkende forløb. 0-3 måneder = dag 0-90, 3-6 = dag 91-181, 6-12 = dag 182-363, 12+ = dag 364 og derover. Uoplyst = intet forløb dækker samtaledatoen.".into(),
            "Sidste periode kan være ufuldstændig, hvis data slutter midt i perioden.".into(),
        ],
        notes_en: vec![
            format!("Disclosure control: counts below {threshold} (and above 0) are not published and are shown as '..', as are shares computed from them. Secondary suppression (so that hidden counts cannot be recovered from totals) is not yet applied."),
            "Share of all conversations = conversations of the selected form as a percentage of all conversations with the same area, time, benefit, type and duration.".into(),
            "Share by phone or video = (phone + video) as a percentage of the conversations in the cell; 100 for the forms 'telefon' and 'video', 0 for 'fysisk' and 'anden'.".into(),
            "Duration at the conversation: from the spell on the same benefit that covers the date, else the latest started covering spell. 0-3 months = day 0-90, 3-6 = day 91-181, 6-12 = day 182-363, 12+ = day 364 or later. Unknown = no spell covers the date.".into(),
            "The last period may be incomplete if the data ends within it.".into(),
        ],
        threshold,
    }
}
