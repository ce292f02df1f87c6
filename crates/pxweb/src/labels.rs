//! Every user-visible string of the API's answers and download files, one table per language
//! (the web pages have theirs in `samtalebank_web`). A label missing in one language does not
//! compile.

use samtalebank_model::Lang;

/// The API's and the downloads' strings.
pub struct Labels {
    /// The subject all tables belong to (PxWeb `paths`, PX `SUBJECT-AREA`).
    pub subject: &'static str,
    /// The measure variable's label (`maal`).
    pub measure_var: &'static str,
    /// Between a table's contents and its variables in a PX title (`… by area, time`).
    pub by: &'static str,
    pub source: &'static str,
    pub updated: &'static str,
    /// The name of the Excel file's sheet of notes.
    pub notes: &'static str,
    pub status_confidential: &'static str,
    pub status_not_applicable: &'static str,
    pub status_not_yet: &'static str,
    /// `/api/v2/benchmark/gap`.
    pub gap_title: &'static str,
    pub gap_group: &'static str,
    pub gap_rest: &'static str,
    pub gap_difference: &'static str,
    pub unit_pct: &'static str,
    pub unit_pp: &'static str,
}

pub const DA: Labels = Labels {
    subject: "Samtaler i jobcentrene",
    measure_var: "mål",
    by: "efter",
    source: "Kilde",
    updated: "Opdateret",
    notes: "Noter",
    status_confidential: "Diskretioneret: færre end grænseværdien, beregnet af et sådant tal, eller skjult for at beskytte et sådant tal",
    status_not_applicable: "Kan ikke beregnes (nævneren er 0)",
    status_not_yet: "Ikke tilgængelig endnu: periodens forløb kan endnu ikke følges længe nok",
    gap_title: "Forskel mellem gruppe og resten af landet",
    gap_group: "Gruppen",
    gap_rest: "Resten af landet",
    gap_difference: "Forskel (procentpoint)",
    unit_pct: "pct.",
    unit_pp: "procentpoint",
};

pub const EN: Labels = Labels {
    subject: "Jobcentre conversations",
    measure_var: "measure",
    by: "by",
    source: "Source",
    updated: "Updated",
    notes: "Notes",
    status_confidential:
        "Confidential: below the threshold, computed from such a count, or hidden to protect one",
    status_not_applicable: "Not applicable (the denominator is 0)",
    status_not_yet: "Not yet available: the period's spells cannot yet be followed long enough",
    gap_title: "Gap between the group and the rest of the country",
    gap_group: "The group",
    gap_rest: "Rest of the country",
    gap_difference: "Gap (percentage points)",
    unit_pct: "per cent",
    unit_pp: "percentage points",
};

/// The strings of a language.
pub fn labels(lang: Lang) -> &'static Labels {
    match lang {
        Lang::Da => &DA,
        Lang::En => &EN,
    }
}
