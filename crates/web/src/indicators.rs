//! The municipalities' indicators from BENCH01 (the published value, its numerator and base,
//! its rank), the tile-grid map of Denmark's 98 municipalities, and the choices of an indicator
//! page (indicator, period, benefit, the reader's municipality) read from its query.

use std::sync::OnceLock;

use maud::{html, Markup};
use samtalebank_model::{is_kommune, Lang, PeriodKind, Var};
use samtalebank_pxweb::Params;
use samtalebank_release::{Table, Value};

use crate::format::{num, period_words, plain};
use crate::messages::msgs;

/// One municipality's (or the country's) indicator in one period.
#[derive(Debug, Clone)]
pub struct Point {
    /// Area index in BENCH01.
    pub area: usize,
    pub code: String,
    pub name: String,
    pub value: Value,
    /// The base (the published denominator), when published.
    pub base: Option<u32>,
    pub rank: Value,
}

/// BENCH01 and the indices of its variables and measures.
pub struct Bench<'a> {
    pub t: &'a Table,
    ind: usize,
    area: usize,
    tid: usize,
    yd: usize,
    vaerdi: usize,
    rang: usize,
}

impl<'a> Bench<'a> {
    pub fn new(t: &'a Table) -> Option<Bench<'a>> {
        let meta = &t.meta;
        let m = |c: &str| meta.measures.iter().position(|x| x.code == c);
        Some(Bench {
            ind: meta.var(Var::Indikator)?.0,
            area: meta.var(Var::Omraade)?.0,
            tid: meta.var(Var::Tid)?.0,
            yd: meta.var(Var::Ydelse)?.0,
            vaerdi: m("vaerdi")?,
            rang: m("rang")?,
            t,
        })
    }

    fn dim(&self, d: usize) -> &samtalebank_release::DimensionMeta {
        &self.t.meta.dimensions[d]
    }
    pub fn indicators(&self) -> &[samtalebank_release::CategoryMeta] {
        &self.dim(self.ind).categories
    }
    pub fn areas(&self) -> &[samtalebank_release::CategoryMeta] {
        &self.dim(self.area).categories
    }
    pub fn periods(&self) -> &[samtalebank_release::CategoryMeta] {
        &self.dim(self.tid).categories
    }
    pub fn benefits(&self) -> &[samtalebank_release::CategoryMeta] {
        &self.dim(self.yd).categories
    }
    pub fn area_index(&self, code: &str) -> Option<usize> {
        self.dim(self.area).position(code)
    }
    pub fn country(&self) -> usize {
        self.dim(self.area)
            .position(samtalebank_model::dims::COUNTRY)
            .unwrap_or(0)
    }

    fn coords(&self, ind: usize, area: usize, tid: usize, yd: usize) -> Vec<usize> {
        let mut c = vec![0; 4];
        c[self.ind] = ind;
        c[self.area] = area;
        c[self.tid] = tid;
        c[self.yd] = yd;
        c
    }

    /// The point of an area.
    pub fn point(&self, ind: usize, area: usize, tid: usize, yd: usize, lang: Lang) -> Point {
        let c = self.coords(ind, area, tid, yd);
        let cat = &self.areas()[area];
        Point {
            area,
            code: cat.code.clone(),
            name: cat.label(lang).to_string(),
            value: self.t.value(&c, self.vaerdi),
            base: self.t.stored(&c, 1),
            rank: self.t.value(&c, self.rang),
        }
    }

    /// Every municipality's point, in code order.
    pub fn kommuner(&self, ind: usize, tid: usize, yd: usize, lang: Lang) -> Vec<Point> {
        (0..self.areas().len())
            .filter(|&a| is_kommune(&self.areas()[a].code))
            .map(|a| self.point(ind, a, tid, yd, lang))
            .collect()
    }

    /// The latest period of a kind with a national value for the indicator.
    pub fn latest(&self, ind: usize, kind: PeriodKind, yd: usize) -> Option<usize> {
        let country = self.country();
        (0..self.periods().len())
            .rev()
            .filter(|&t| PeriodKind::of(&self.periods()[t].code) == kind)
            .find(|&t| {
                matches!(
                    self.t.value(&self.coords(ind, country, t, yd), self.vaerdi),
                    Value::Num(_)
                )
            })
    }
}

/// An indicator page's choices.
pub struct Choices {
    pub ind: usize,
    pub tid: usize,
    pub yd: usize,
    /// The reader's municipality.
    pub mine: Option<usize>,
}

/// Read `indikator`, `tid`, `ydelse` and `kommune` (codes, or for `kommune` a name); unknown
/// values are an error naming them. By default: the 6-week indicator, its latest year with a
/// national value, all benefits.
pub fn choices(b: &Bench<'_>, q: &Params) -> Result<Choices, String> {
    let m = msgs(q.lang());
    let find = |cats: &[samtalebank_release::CategoryMeta], name: &str, v: &str| {
        cats.iter()
            .position(|c| c.code.eq_ignore_ascii_case(v))
            .ok_or_else(|| format!("{name} '{v}' {}", m.unknown_value))
    };
    let ind = match q.value("indikator") {
        Some(v) => find(b.indicators(), m.indicator, v)?,
        None => b
            .indicators()
            .iter()
            .position(|c| c.code == "pct6")
            .unwrap_or(0),
    };
    let yd = match q.value("ydelse") {
        Some(v) => find(b.benefits(), m.benefit, v)?,
        None => b.t.meta.dimensions[b.yd].total_index().unwrap_or(0),
    };
    let tid = match q.value("tid") {
        Some(v) => find(b.periods(), m.period, v)?,
        None => b
            .latest(ind, PeriodKind::Year, yd)
            .ok_or_else(|| m.no_published_period.to_string())?,
    };
    let mine = match q.value("kommune") {
        Some(v) => Some(
            kommune_by_code_or_name(b.areas(), v)
                .ok_or_else(|| format!("{} '{v}' {}", m.kommune, m.unknown_value))?,
        ),
        None => None,
    };
    for (k, _) in q.pairs() {
        if !["indikator", "tid", "ydelse", "kommune", "lang"]
            .iter()
            .any(|n| k.eq_ignore_ascii_case(n))
        {
            return Err(format!("{} '{k}'", m.unknown_parameter));
        }
    }
    Ok(Choices { ind, tid, yd, mine })
}

/// A municipality by its code (with or without leading zeros) or its name, in any case.
pub fn kommune_by_code_or_name(
    areas: &[samtalebank_release::CategoryMeta],
    v: &str,
) -> Option<usize> {
    let v = v.trim();
    areas
        .iter()
        .position(|c| is_kommune(&c.code) && (c.code == v.trim_start_matches('0') || c.code == v))
        .or_else(|| {
            areas.iter().position(|c| {
                is_kommune(&c.code)
                    && (c.label_da.to_lowercase() == v.to_lowercase()
                        || c.label_en.to_lowercase() == v.to_lowercase())
            })
        })
}

/// The tile grid: each municipality's row and column (`data/kommune_tiles.csv`, laid out from
/// their positions by `scripts/tiles.py`).
pub fn tiles() -> &'static [(String, usize, usize)] {
    static T: OnceLock<Vec<(String, usize, usize)>> = OnceLock::new();
    T.get_or_init(|| {
        include_str!("../data/kommune_tiles.csv")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with("kode") && !l.is_empty())
            .filter_map(|l| {
                let mut p = l.split(';');
                Some((
                    p.next()?.to_string(),
                    p.next()?.parse().ok()?,
                    p.next()?.parse().ok()?,
                ))
            })
            .collect()
    })
}

/// A sequential, colour-blind-safe scale (ColorBrewer Blues) in five classes, and the text
/// colour that reads on each.
const CLASSES: [(&str, &str); 5] = [
    ("#eff3ff", "#111"),
    ("#bdd7e7", "#111"),
    ("#6baed6", "#111"),
    ("#3182bd", "#fff"),
    ("#08519c", "#fff"),
];

/// The class bounds: five equal steps from the smallest to the largest value, rounded.
fn bounds(points: &[Point]) -> Option<(f64, f64)> {
    let vals: Vec<f64> = points.iter().filter_map(|p| p.value.num()).collect();
    let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (lo.is_finite() && hi.is_finite()).then(|| (lo.floor(), hi.ceil().max(lo.floor() + 1.0)))
}

fn class(v: f64, (lo, hi): (f64, f64)) -> usize {
    (((v - lo) / (hi - lo) * 5.0).floor() as usize).min(4)
}

/// Four letters per municipality for its tile, each different: the first four, or where those
/// are shared (Fredensborg, Fredericia, Frederiksberg, …), the first three and the first later
/// letter that makes them unique (Fren, Frec, Freb, …).
pub fn abbreviations(names: &[&str]) -> Vec<String> {
    let prefix = |n: &str| n.chars().take(4).collect::<String>();
    let mut count: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for n in names {
        *count.entry(prefix(n)).or_default() += 1;
    }
    let mut taken: std::collections::HashSet<String> = count.keys().cloned().collect();
    names
        .iter()
        .map(|n| {
            let p = prefix(n);
            if count[&p] == 1 {
                return p;
            }
            let chars: Vec<char> = n.chars().collect();
            let head: String = chars.iter().take(3).collect();
            // The letter that ends the shortest prefix no other name shares.
            let unique_at = (4..chars.len()).find(|&i| {
                let mine: String = chars[..=i].iter().collect();
                names
                    .iter()
                    .filter(|m| m.starts_with(mine.as_str()))
                    .count()
                    == 1
            });
            let pick = unique_at
                .into_iter()
                .chain(4..chars.len())
                .map(|i| format!("{head}{}", chars[i]))
                .find(|a| !taken.contains(a))
                .unwrap_or(p);
            taken.insert(pick.clone());
            pick
        })
        .collect()
}

/// The map: a tile per municipality, coloured by its value, linked to its page; the reader's
/// municipality outlined; a legend; every value in the tile's title.
pub fn tile_map(
    id: &str,
    title: &str,
    points: &[Point],
    mine: Option<usize>,
    lang: Lang,
) -> Markup {
    let m = msgs(lang);
    let size = 44.0;
    let (rows, cols) = tiles()
        .iter()
        .fold((0, 0), |(r, c), t| (r.max(t.1 + 1), c.max(t.2 + 1)));
    let (w, h) = (cols as f64 * size + 20.0, rows as f64 * size + 70.0);
    let b = bounds(points);
    let l = lang.code();
    let names: Vec<&str> = points.iter().map(|p| p.name.as_str()).collect();
    let short = abbreviations(&names);
    html! {
        figure id={ (id) "-figure" } {
            figcaption id={ (id) "-caption" } { (title) }
            svg.tiles id=(id) xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (w) " " (h) } width="100%" role="group" aria-labelledby={ (id) "-title" } style={ "max-width:" (w) "px" } {
                title id={ (id) "-title" } { (title) }
                rect x="0" y="0" width=(w) height=(h) fill="#fff" {}
                @for (code, r, c) in tiles() {
                    @if let Some((p, abbr)) = points.iter().zip(&short).find(|(p, _)| &p.code == code) {
                        @let (fill, ink) = match (p.value.num(), b) {
                            (Some(v), Some(b)) => CLASSES[class(v, b)],
                            _ => ("#d9d9d9", "#111"),
                        };
                        @let (x, y) = (10.0 + *c as f64 * size, 10.0 + *r as f64 * size);
                        a href={ "/kommune/" (code) "?lang=" (l) } {
                            g {
                                title { (p.name) ": " (num(lang, p.value, 1)) @if let Some(n) = p.base { " (n = " (num(lang, Value::Num(f64::from(n)), 0)) ")" } }
                                rect data-code=(code) data-value=(plain(p.value, 1)) x=(x + 1.0) y=(y + 1.0) width=(size - 2.0) height=(size - 2.0) fill=(fill) stroke=(if Some(p.area) == mine { "#d55e00" } else { "#fff" }) stroke-width=(if Some(p.area) == mine { "4" } else { "1" }) {}
                                text x=(x + size / 2.0) y=(y + 19.0) font-size="10" text-anchor="middle" fill=(ink) { (abbr) }
                                text x=(x + size / 2.0) y=(y + 33.0) font-size="10" text-anchor="middle" fill=(ink) { (num(lang, p.value, 0)) }
                            }
                        }
                    }
                }
                @if let Some((lo, hi)) = b {
                    @for k in 0..5 {
                        @let step = (hi - lo) / 5.0;
                        @let x = 10.0 + k as f64 * 120.0;
                        rect x=(x) y=(h - 46.0) width="24" height="16" fill=(CLASSES[k].0) stroke="#999" {}
                        text x=(x + 30.0) y=(h - 34.0) font-size="11" fill="#222" { (num(lang, Value::Num(lo + step * k as f64), 0)) "–" (num(lang, Value::Num(lo + step * (k + 1) as f64), 0)) " %" }
                    }
                    rect x="10" y=(h - 22.0) width="24" height="16" fill="#d9d9d9" stroke="#999" {}
                    text x="40" y=(h - 10.0) font-size="11" fill="#222" { (m.no_value) }
                }
            }
            p.notes { (m.map_note) }
        }
    }
}

/// "pct6, 2023, all benefits" in words, for titles.
pub fn describe(b: &Bench<'_>, c: &Choices, lang: Lang) -> String {
    format!(
        "{}, {}, {}",
        b.indicators()[c.ind].label(lang),
        period_words(lang, &b.periods()[c.tid].code),
        b.benefits()[c.yd].label(lang).to_lowercase()
    )
}
