//! `/undersoegelse`: the citizen survey (SURV01), one question at a time: horizontal bars of the
//! weighted shares with their 95 % intervals drawn, for a chosen benefit group and area; the
//! question's text and base; the figures as a table; download and API links; links to the
//! other questions.

use maud::{html, Markup};
use samtalebank_model::{Lang, Var};
use samtalebank_pxweb::{DataLink, OutputFormat, Params, Selection};
use samtalebank_release::{Table, Value};

use crate::format::num;
use crate::layout::{page, Here};
use crate::messages::msgs;

/// `label` cut to at most `max` characters, with an ellipsis where it is cut.
fn shorten(label: &str, max: usize) -> String {
    if label.chars().count() > max {
        format!(
            "{}…",
            label.chars().take(max - 1).collect::<String>().trim_end()
        )
    } else {
        label.to_string()
    }
}

/// A drop-down of one dimension's categories.
fn select(t: &Table, var: Var, chosen: usize, label: &str, lang: Lang) -> Markup {
    let Some((_, d)) = t.meta.var(var) else {
        return html! {};
    };
    html! {
        div {
            label for=(d.id) { (label) }
            select id=(d.id) name=(d.id) {
                @for (i, c) in d.categories.iter().enumerate() {
                    option value=(c.code) selected[i == chosen] {
                        @if var == Var::Spoergsmaal {
                            // The question's number and its text, shortened: the whole text is
                            // the heading.
                            (i + 1) ". " (shorten(c.label(lang), 60))
                        } @else {
                            (c.label(lang))
                        }
                    }
                }
            }
        }
    }
}

/// The bars: per answer the share (solid) and its interval (a line with end ticks).
fn bars(rows: &[(String, Value, Value, Value)], lang: Lang, title: &str) -> Markup {
    let (w, label_w, row) = (760.0, 300.0, 26.0);
    let plot = w - label_w - 150.0;
    let h = row * rows.len() as f64 + 34.0;
    let x = |p: f64| label_w + plot * p.clamp(0.0, 100.0) / 100.0;
    let f = |v: f64| format!("{v:.1}");
    let base = row * rows.len() as f64 + 8.0;
    html! {
        svg viewBox={ "0 0 " (w) " " (h) } width="100%" role="img" aria-label=(title) {
            title { (title) }
            // Axis at 0, 25, 50, 75 and 100 per cent.
            @for tick in [0.0, 25.0, 50.0, 75.0, 100.0] {
                line x1=(f(x(tick))) y1="4" x2=(f(x(tick))) y2=(base) stroke="#ddd" {}
                text x=(f(x(tick))) y=(base + 14.0) font-size="11" text-anchor="middle" { (tick) }
            }
            @for (i, (label, pct, lo, hi)) in rows.iter().enumerate() {
                @let y = 8.0 + row * i as f64;
                text x=(label_w - 6.0) y=(y + 13.0) font-size="12" text-anchor="end" { (shorten(label, 44)) }
                @match (pct, lo, hi) {
                    (Value::Num(p), Value::Num(a), Value::Num(b)) => {
                        rect x=(label_w) y=(y) width=(f(x(*p) - label_w)) height="16" fill="#1f5f8b" {}
                        line x1=(f(x(*a))) y1=(y + 8.0) x2=(f(x(*b))) y2=(y + 8.0) stroke="#c0392b" stroke-width="2" {}
                        line x1=(f(x(*a))) y1=(y + 2.0) x2=(f(x(*a))) y2=(y + 14.0) stroke="#c0392b" stroke-width="2" {}
                        line x1=(f(x(*b))) y1=(y + 2.0) x2=(f(x(*b))) y2=(y + 14.0) stroke="#c0392b" stroke-width="2" {}
                        text x=(f(x(100.0) + 6.0)) y=(y + 13.0) font-size="11" { (num(lang, *pct, 1)) " (" (num(lang, *lo, 1)) "–" (num(lang, *hi, 1)) ")" }
                    }
                    (v, _, _) => {
                        text x=(label_w + 4.0) y=(y + 13.0) font-size="11" { (num(lang, *v, 1)) }
                    }
                }
            }
        }
    }
}

/// The survey page. Parameters: `spoergsmaal`, `ydelse`, `omraade` (codes; defaults: the first
/// question, all benefits, the whole country).
///
/// Long: The page in reading order: the choices, the question and its base, the bars, the figures, the links.
pub fn survey_page(t: &Table, q: &Params) -> String {
    let lang = q.lang();
    let m = msgs(lang);
    let meta = &t.meta;
    let pick = |var: Var| -> (usize, usize) {
        let Some((d, dm)) = meta.var(var) else {
            return (0, 0);
        };
        let chosen = q
            .value(&dm.id)
            .and_then(|c| dm.position(c))
            .or(dm.total_index())
            .unwrap_or(0);
        (d, chosen)
    };
    let (qd, qi) = pick(Var::Spoergsmaal);
    let (sd, _) = pick(Var::Svar);
    let (yd, yi) = pick(Var::Ydelse);
    let (ad, ai) = pick(Var::Omraade);
    let form = html! {
        h1 { (m.su_title) }
        p { (m.su_intro) }
        form method="get" action="/undersoegelse" {
            input type="hidden" name="lang" value=(lang.code());
            div.controls {
                (select(t, Var::Spoergsmaal, qi, m.su_question, lang))
                (select(t, Var::Ydelse, yi, m.su_benefit, lang))
                (select(t, Var::Omraade, ai, m.area, lang))
            }
            p { button type="submit" { (m.su_show) } }
        }
    };
    let question = &meta.dimensions[qd].categories[qi];
    let svar_dim = &meta.dimensions[sd];
    let members: Vec<usize> = match &meta.nesting {
        Some(n) => n
            .within(&question.code)
            .iter()
            .filter_map(|c| svar_dim.position(c))
            .collect(),
        None => (0..svar_dim.categories.len()).collect(),
    };
    let measure = |code: &str| meta.measures.iter().position(|x| x.code == code);
    let (Some(mp), Some(ml), Some(mh), Some(mn)) = (
        measure("pct"),
        measure("ci_lo"),
        measure("ci_hi"),
        measure("n"),
    ) else {
        return page(
            Here {
                path: "/undersoegelse",
                query: q,
            },
            m.su_title,
            form,
        );
    };
    let at = |s: usize| {
        let mut c = vec![0; meta.dimensions.len()];
        c[qd] = qi;
        c[sd] = s;
        c[yd] = yi;
        c[ad] = ai;
        c
    };
    let prefix = format!("“{}”:", question.label(lang));
    let base_note = meta
        .notes(lang)
        .iter()
        .find_map(|n| n.strip_prefix(&prefix))
        .map(|n| n.trim().to_string())
        .unwrap_or_default();
    let n = members
        .first()
        .map(|&s| t.value(&at(s), mn))
        .unwrap_or(Value::NotApplicable);
    let rows: Vec<(String, Value, Value, Value)> = members
        .iter()
        .map(|&s| {
            let c = at(s);
            (
                svar_dim.categories[s].label(lang).to_string(),
                t.value(&c, mp),
                t.value(&c, ml),
                t.value(&c, mh),
            )
        })
        .collect();
    let mut dims: Vec<Vec<usize>> = at(0).into_iter().map(|c| vec![c]).collect();
    dims[sd] = members.clone();
    let sel = Selection::new(dims, vec![mp, ml, mh, mn]);
    let link = |f: OutputFormat| DataLink::new(meta, &sel, lang).format(f).url();
    let (ycode, acode) = (
        &meta.dimensions[yd].categories[yi].code,
        &meta.dimensions[ad].categories[ai].code,
    );
    let body = html! {
        (form)
        h2 { (question.label(lang)) }
        p.muted {
            code { (question.code) } " · " (meta.dimensions[yd].categories[yi].label(lang)) " · " (meta.dimensions[ad].categories[ai].label(lang))
        }
        p { (m.su_base) " (" (num(lang, n, 0)) " " (m.su_respondents) "): " (base_note) }
        @if matches!(n, Value::Suppressed) { p.card { (m.su_hidden) } }
        (bars(&rows, lang, question.label(lang)))
        table {
            thead { tr { th scope="col" { (m.su_answer) } th scope="col" { (m.su_share) } th scope="col" { (m.su_interval) } th scope="col" { "n" } } }
            tbody {
                @for (&s, (label, p, lo, hi)) in members.iter().zip(&rows) {
                    tr {
                        th scope="row" { (label) " " span.muted { "(" (svar_dim.categories[s].code) ")" } }
                        td.num { (num(lang, *p, 1)) }
                        td.num { (num(lang, *lo, 1)) " – " (num(lang, *hi, 1)) }
                        td.num { (num(lang, t.value(&at(s), mn), 0)) }
                    }
                }
            }
        }
        p {
            a href=(link(OutputFormat::Csv)) { (m.download_csv) } " · "
            a href=(link(OutputFormat::JsonStat2)) { (m.api_jsonstat) } " · "
            a href={ "/tabel/" (meta.id) "?lang=" (lang.code()) } { (m.su_whole_table) }
        }
        h2 { (m.su_questions) }
        ol {
            @for c in &meta.dimensions[qd].categories {
                @let p = Params::new(vec![
                    ("lang".into(), lang.code().into()),
                    ("spoergsmaal".into(), c.code.clone()),
                    ("ydelse".into(), ycode.clone()),
                    ("omraade".into(), acode.clone()),
                ]);
                li { a href={ "/undersoegelse?" (p.to_query()) } { (c.label(lang)) } }
            }
        }
        @for note in meta.notes(lang).iter().take(3) { p.muted { (note) } }
    };
    page(
        Here {
            path: "/undersoegelse",
            query: q,
        },
        m.su_title,
        body,
    )
}
