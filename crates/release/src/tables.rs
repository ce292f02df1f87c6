//! Table definitions: titles, notes, source, measures and how each measure is computed from
//! the published counts.

use crate::Protection;
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
    /// The counts stored per cell in the data files (the other measures derive from them); set
    /// from the engine's cube when the release is published.
    pub values: Vec<String>,
    /// The last day of data (`YYYY-MM-DD`): indicators that need to follow spells further are
    /// "not yet available".
    pub data_end: String,
    /// The first day of data (`YYYY-MM-DD`): indicators that look back before it are not
    /// available.
    #[serde(default)]
    pub data_start: String,
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
pub fn samt01_meta(
    dimensions: Vec<DimensionMeta>,
    updated: String,
    threshold: u32,
    protection: Protection,
    data_end: String,
) -> TableMeta {
    let (note_da, note_en) = disclosure_note("SAMT01", threshold, protection);
    TableMeta {
        values: Vec::new(),
        data_end,
        data_start: String::new(),
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
            note_da,
            "Andel af alle samtaler = samtaler med den valgte samtaleform i pct. af alle samtaler i samme område, tid, ydelse, samtaletype og varighed.".into(),
            "Andel telefon- og videosamtaler = (telefon + video) i pct. af samtalerne i cellen; for samtaleform 'telefon' og 'video' er den 100, for 'fysisk' og 'anden' 0.".into(),
            "Ledighedsvarighed ved samtalen: fra det forløb på samme ydelse, der dækker samtaledatoen, ellers det senest startede dækkende forløb. 0-3 måneder = dag 0-90, 3-6 = dag 91-181, 6-12 = dag 182-363, 12+ = dag 364 og derover. Uoplyst = intet forløb dækker samtaledatoen.".into(),
            "Sidste periode kan være ufuldstændig, hvis data slutter midt i perioden.".into(),
        ],
        notes_en: vec![
            note_en,
            "Share of all conversations = conversations of the selected form as a percentage of all conversations with the same area, time, benefit, type and duration.".into(),
            "Share by phone or video = (phone + video) as a percentage of the conversations in the cell; 100 for the forms 'telefon' and 'video', 0 for 'fysisk' and 'anden'.".into(),
            "Duration at the conversation: from the spell on the same benefit that covers the date, else the latest started covering spell. 0-3 months = day 0-90, 3-6 = day 91-181, 6-12 = day 182-363, 12+ = day 364 or later. Unknown = no spell covers the date.".into(),
            "The last period may be incomplete if the data ends within it.".into(),
        ],
        threshold,
    }
}

/// SAMT02's text and measures.
pub fn samt02_meta(
    dimensions: Vec<DimensionMeta>,
    updated: String,
    threshold: u32,
    protection: Protection,
    data_end: String,
) -> TableMeta {
    let (note_da, note_en) = disclosure_note("SAMT02", threshold, protection);
    TableMeta {
        id: "SAMT02".into(),
        title_da: "Rettidig første samtale".into(),
        title_en: "Timely first conversation".into(),
        description_da: "Forløb startet i perioden; af dem, der stadig var på ydelsen efter 6 (13) uger, andelen med en første samtale inden for 6 (13) uger. Efter område, periode for forløbets start og ydelse.".into(),
        description_en: "Spells started in the period; of those still on the benefit after 6 (13) weeks, the share with a first conversation within 6 (13) weeks. By area, period of the spell's start and benefit.".into(),
        source: SOURCE.into(),
        updated,
        dimensions,
        measures: vec![
            m("startet", "Forløb startet", "Spells started", "antal", "number", 0),
            m("varet6", "Heraf varet 6 uger", "Of which lasting 6 weeks", "antal", "number", 0),
            m("samtale6", "Heraf første samtale inden for 6 uger", "Of which first conversation within 6 weeks", "antal", "number", 0),
            m("pct6", "Andel med samtale inden for 6 uger", "Share with a conversation within 6 weeks", "pct.", "per cent", 1),
            m("varet13", "Heraf varet 13 uger", "Of which lasting 13 weeks", "antal", "number", 0),
            m("samtale13", "Heraf første samtale inden for 13 uger", "Of which first conversation within 13 weeks", "antal", "number", 0),
            m("pct13", "Andel med samtale inden for 13 uger", "Share with a conversation within 13 weeks", "pct.", "per cent", 1),
        ],
        notes_da: vec![
            note_da,
            "Dagtælling: forløbets startdato er dag 0. Inden for 6 uger = dag 0-41, inden for 13 uger = dag 0-90. Et forløb har varet 6 uger, hvis det er åbent eller slut - start >= 41 (13 uger: >= 90). En samtale hører til ethvert forløb for samme person, der dækker samtaledatoen.".into(),
            "Perioder, hvis forløb endnu ikke kan følges 6 (13) uger frem til datas slutdato, vises som '.' (ikke tilgængelig endnu), aldrig som 0.".into(),
            "Perioden er måneden, kvartalet eller året, hvor forløbet startede.".into(),
        ],
        notes_en: vec![
            note_en,
            "Day numbers: the spell's start date is day 0. Within 6 weeks = day 0-41, within 13 weeks = day 0-90. A spell lasted 6 weeks if it is open or slut - start >= 41 (13 weeks: >= 90). A conversation belongs to every spell of the same person that covers its date.".into(),
            "Periods whose spells cannot yet be followed 6 (13) weeks up to the data's end are shown as '.' (not yet available), never as 0.".into(),
            "The period is the month, quarter or year in which the spell started.".into(),
        ],
        threshold,
        values: Vec::new(),
        data_end,
        data_start: String::new(),
    }
}

/// SAMT03's text and measures.
pub fn samt03_meta(
    dimensions: Vec<DimensionMeta>,
    updated: String,
    threshold: u32,
    protection: Protection,
    data_end: String,
    data_start: String,
) -> TableMeta {
    let (note_da, note_en) = disclosure_note("SAMT03", threshold, protection);
    TableMeta {
        id: "SAMT03".into(),
        title_da: "Samtaleintensitet".into(),
        title_en: "Conversation frequency".into(),
        description_da: "Personer med 13-26 ugers (3-6 måneders) varighed på periodens sidste dag, og andelen af dem med mindst 2 samtaler i de 13 uger før. Efter område, periode og ydelse.".into(),
        description_en: "Persons with 13-26 weeks' (3-6 months') duration on the period's last day, and the share of them with at least 2 conversations in the 13 weeks before. By area, period and benefit.".into(),
        source: SOURCE.into(),
        updated,
        dimensions,
        measures: vec![
            m("personer", "Personer med 13-26 ugers varighed", "Persons with 13-26 weeks' duration", "antal", "number", 0),
            m("med2", "Heraf med mindst 2 samtaler i de seneste 13 uger", "Of whom with at least 2 conversations in the last 13 weeks", "antal", "number", 0),
            m("pct", "Andel med mindst 2 samtaler", "Share with at least 2 conversations", "pct.", "per cent", 1),
        ],
        notes_da: vec![
            note_da,
            "Opgørelsesdagen R er periodens sidste dag. En person tælles, hvis et forløb dækker R og 91 <= R - start <= 181; personen tælles én gang pr. område og ydelse, og med i tælleren ved mindst 2 samtaler på dag R-90 til R.".into(),
            "Der tælles personer: en person kan indgå i flere områder eller ydelser, så totaler kan være mindre end summen af delene.".into(),
            "Perioder, hvis sidste dag ligger efter datas slutdato, eller hvis 13 uger før ligger før datas start, vises som '.' (ikke tilgængelig).".into(),
        ],
        notes_en: vec![
            note_en,
            "The reference day R is the period's last day. A person counts if a spell covers R and 91 <= R - start <= 181; once per area and benefit, and in the numerator with at least 2 conversations on days R-90 to R.".into(),
            "Persons are counted: one person can be in several areas or benefits, so totals can be smaller than the sum of their parts.".into(),
            "Periods whose last day is after the data's end, or whose 13 weeks before start before the data, are shown as '.' (not available).".into(),
        ],
        threshold,
        values: Vec::new(),
        data_end,
        data_start,
    }
}

/// BENCH01's text and measures.
pub fn bench01_meta(
    dimensions: Vec<DimensionMeta>,
    updated: String,
    threshold: u32,
    protection: Protection,
    data_end: String,
    data_start: String,
) -> TableMeta {
    let (note_da, note_en) = disclosure_note("BENCH01", threshold, protection);
    TableMeta {
        id: "BENCH01".into(),
        title_da: "Benchmark af kommuner".into(),
        title_en: "Benchmark of municipalities".into(),
        description_da: "Kommunernes værdi af hver indikator (andel digitale samtaler, rettidig første samtale inden for 6 og 13 uger, samtaleintensitet) mod landsværdien og resten af landet, med rang blandt de 98 kommuner.".into(),
        description_en: "Each municipality's value of every indicator (digital share, timely first conversation within 6 and 13 weeks, conversation frequency) against the national value and the rest of the country, with its rank among the 98 municipalities.".into(),
        source: SOURCE.into(),
        updated,
        dimensions,
        measures: vec![
            m("vaerdi", "Værdi", "Value", "pct.", "per cent", 1),
            m("landsvaerdi", "Landsværdi", "National value", "pct.", "per cent", 1),
            m("rang", "Rang blandt 98 kommuner (1 = højest)", "Rank among 98 municipalities (1 = highest)", "rang", "rank", 0),
            m("diff_land", "Forskel til landsværdien", "Difference to the national value", "procentpoint", "percentage points", 1),
            m("diff_rest", "Forskel til resten af landet", "Difference to the rest of the country", "procentpoint", "percentage points", 1),
        ],
        notes_da: vec![
            note_da,
            "Rang: 1 = højeste andel. Kommuner med samme andel får samme rang, og den næste rang springes over (1, 2, 2, 4). Kun kommuner med en offentliggjort værdi rangeres.".into(),
            "Resten af landet = (landets tæller - områdets tæller) / (landets nævner - områdets nævner). For samtaleintensitet tælles personer; en person i flere kommuner kan gøre resten af landet en anelse for lille.".into(),
            "Indikatorerne: digital_pct fra SAMT01 (alle samtaletyper og varigheder), pct6 og pct13 fra SAMT02, intensitet fra SAMT03. Ikke tilgængelige perioder vises som '.'.".into(),
        ],
        notes_en: vec![
            note_en,
            "Rank: 1 = highest share. Equal shares get the same rank and the next rank is skipped (1, 2, 2, 4). Only municipalities with a published value are ranked.".into(),
            "Rest of the country = (national numerator - the area's numerator) / (national denominator - the area's denominator). Conversation frequency counts persons; a person in several municipalities can make the rest of the country slightly too small.".into(),
            "Indicators: digital_pct from SAMT01 (all types and durations), pct6 and pct13 from SAMT02, intensitet from SAMT03. Periods not available are shown as '.'.".into(),
        ],
        threshold,
        values: Vec::new(),
        data_end,
        data_start,
    }
}

/// The disclosure-control note (the first note of every table), for the rule a release applied.
pub fn disclosure_note(table: &str, threshold: u32, protection: Protection) -> (String, String) {
    let (mut da, mut en) = if table == "BENCH01" {
        (
            format!("Diskretionering: værdier beregnet af antal under {threshold} (og over 0) vises som '..' og får ingen rang."),
            format!("Disclosure control: values computed from counts below {threshold} (and above 0) are shown as '..' and get no rank."),
        )
    } else {
        (
            format!("Diskretionering: antal under {threshold} (og over 0) offentliggøres ikke og vises som '..'; det samme gælder andele beregnet af dem."),
            format!("Disclosure control: counts below {threshold} (and above 0) are not published and are shown as '..', as are shares computed from them."),
        )
    };
    if table == "BENCH01" {
        da.push_str(" En værdi vises kun, når dens tæller og nævner er offentliggjort i kildetabellen (SAMT01, SAMT02 eller SAMT03).");
        en.push_str(" A value is shown only when its numerator and denominator are published in the source table (SAMT01, SAMT02 or SAMT03).");
    } else if protection == Protection::Full {
        da.push_str(" Sekundær diskretionering: flere celler er skjult, så intet skjult antal kan regnes tilbage fra totaler, delsummer og andre tabeller, og ingen kan vise, at et skjult antal er under grænsen.");
        en.push_str(" Secondary suppression: further cells are hidden so that no hidden count can be recovered from totals, subtotals or other tables, nor shown to be below the threshold.");
    } else if matches!(protection, Protection::Intervals | Protection::Lp) {
        da.push_str(" Sekundær diskretionering: flere celler er skjult, så intet skjult antal kan findes ved at trække de viste dele fra totalen, heller ikke ved at kæde totaler og delsummer sammen, og så ingen kan vise, at et skjult antal er under grænsen. Forskelle mellem indlejrede mål (fx varet 13 uger minus samtale inden 13 uger) er også beskyttet.");
        en.push_str(" Secondary suppression: further cells are hidden so that no hidden count can be found by subtracting the published parts from their total, nor by chaining totals and subtotals, nor shown to be below the threshold that way. Differences of nested measures (e.g. lasted 13 weeks minus conversation within 13 weeks) are protected too.");
        if protection == Protection::Lp {
            da.push_str(" Desuden er hver deltabel (et område med dets underområder, en periode med dens delperioder) kontrolleret ved lineær programmering over alle dens summer på én gang.");
            en.push_str(" Moreover, every sub-table (an area with its parts, a period with its sub-periods) has been checked by linear programming over all of its sums at once.");
        }
    } else if protection == Protection::Lines {
        da.push_str(" Sekundær diskretionering: flere celler er skjult, så ingen total har netop én skjult del, og intet skjult antal kan findes ved at trække de viste dele fra totalen.");
        en.push_str(" Secondary suppression: further cells are hidden so that no total has exactly one hidden part, and no hidden count can be found by subtracting the published parts from their total.");
    } else {
        da.push_str(" Denne udgivelse har kun primær diskretionering: et skjult antal kan i nogle tilfælde regnes tilbage fra totaler.");
        en.push_str(" This release applies primary suppression only: a hidden count can in some cases be recovered from totals.");
    }
    (da, en)
}
