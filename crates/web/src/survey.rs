//! `/undersoegelse`: the citizen survey (SURV01), one question at a time: horizontal bars of the
//! weighted shares with their 95 % intervals drawn, for a chosen benefit group and area; the
//! question's text and base; the figures as a table; download and API links; links to the
//! other questions.

use std::fmt::Write;

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use samtalebank_model::{Lang, Var};
use samtalebank_pxweb::Selection;
use samtalebank_release::{Table, Value};

use crate::format::num;
use crate::layout::page_for;
use crate::messages::msgs;
use crate::table::api_url;

fn param<'a>(q: &'a [(String, String)], name: &str) -> Option<&'a str> {
    q.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

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
fn select(t: &Table, var: Var, chosen: usize, label: &str, lang: Lang) -> String {
    let Some((_, d)) = t.meta.var(var) else {
        return String::new();
    };
    let mut s = format!(
        r#"<div><label for="{id}">{l}</label><select id="{id}" name="{id}">"#,
        id = attr(&d.id),
        l = text(label)
    );
    for (i, c) in d.categories.iter().enumerate() {
        let _ = write!(
            s,
            r#"<option value="{}"{}>{}</option>"#,
            attr(&c.code),
            if i == chosen { " selected" } else { "" },
            text(&if var == Var::Spoergsmaal {
                // The question's number and its text, shortened: the whole text is the heading.
                format!("{}. {}", i + 1, shorten(c.label(lang), 60))
            } else {
                c.label(lang).to_string()
            })
        );
    }
    s.push_str("</select></div>");
    s
}

/// The bars: per answer the share (solid) and its interval (a line with end ticks).
fn bars(rows: &[(String, Value, Value, Value)], lang: Lang, title: &str) -> String {
    let (w, label_w, row) = (760.0, 300.0, 26.0);
    let plot = w - label_w - 150.0;
    let h = row * rows.len() as f64 + 34.0;
    let x = |p: f64| label_w + plot * p.clamp(0.0, 100.0) / 100.0;
    let mut svg = format!(
        r##"<svg viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{t}"><title>{t}</title>"##,
        t = attr(title)
    );
    // Axis at 0, 25, 50, 75 and 100 per cent.
    let base = row * rows.len() as f64 + 8.0;
    for tick in [0.0, 25.0, 50.0, 75.0, 100.0] {
        let _ = write!(
            svg,
            r##"<line x1="{x:.1}" y1="4" x2="{x:.1}" y2="{base}" stroke="#ddd"/><text x="{x:.1}" y="{ty}" font-size="11" text-anchor="middle">{tick}</text>"##,
            x = x(tick),
            ty = base + 14.0
        );
    }
    for (i, (label, pct, lo, hi)) in rows.iter().enumerate() {
        let y = 8.0 + row * i as f64;
        let short = shorten(label, 44);
        let _ = write!(
            svg,
            r##"<text x="{lx}" y="{ty}" font-size="12" text-anchor="end">{l}</text>"##,
            lx = label_w - 6.0,
            ty = y + 13.0,
            l = text(&short)
        );
        match (pct, lo, hi) {
            (Value::Num(p), Value::Num(a), Value::Num(b)) => {
                let _ = write!(
                    svg,
                    r##"<rect x="{label_w}" y="{y}" width="{bw:.1}" height="16" fill="#1f5f8b"/><line x1="{xa:.1}" y1="{ym}" x2="{xb:.1}" y2="{ym}" stroke="#c0392b" stroke-width="2"/><line x1="{xa:.1}" y1="{y1}" x2="{xa:.1}" y2="{y2}" stroke="#c0392b" stroke-width="2"/><line x1="{xb:.1}" y1="{y1}" x2="{xb:.1}" y2="{y2}" stroke="#c0392b" stroke-width="2"/><text x="{vx:.1}" y="{ty}" font-size="11">{v} ({va}–{vb})</text>"##,
                    bw = x(*p) - label_w,
                    xa = x(*a),
                    xb = x(*b),
                    ym = y + 8.0,
                    y1 = y + 2.0,
                    y2 = y + 14.0,
                    vx = x(100.0) + 6.0,
                    ty = y + 13.0,
                    v = num(lang, *pct, 1),
                    va = num(lang, *lo, 1),
                    vb = num(lang, *hi, 1),
                );
            }
            (v, _, _) => {
                let _ = write!(
                    svg,
                    r##"<text x="{x0}" y="{ty}" font-size="11">{v}</text>"##,
                    x0 = label_w + 4.0,
                    ty = y + 13.0,
                    v = text(&num(lang, *v, 1))
                );
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

/// The survey page. Parameters: `spoergsmaal`, `ydelse`, `omraade` (codes; defaults: the first
/// question, all benefits, the whole country).
///
/// Long: The page in reading order: the choices, the question and its base, the bars, the figures, the links.
pub fn survey_page(t: &Table, q: &[(String, String)], lang: Lang) -> String {
    let m = msgs(lang);
    let meta = &t.meta;
    let pick = |var: Var| -> (usize, usize) {
        let Some((d, dm)) = meta.var(var) else {
            return (0, 0);
        };
        let chosen = param(q, &dm.id)
            .and_then(|c| dm.position(c))
            .or(dm.total_index())
            .unwrap_or(0);
        (d, chosen)
    };
    let (qd, qi) = pick(Var::Spoergsmaal);
    let (sd, _) = pick(Var::Svar);
    let (yd, yi) = pick(Var::Ydelse);
    let (ad, ai) = pick(Var::Omraade);
    let mut b = format!("<h1>{}</h1><p>{}</p>", text(m.su_title), text(m.su_intro));
    let _ = write!(
        b,
        r#"<form method="get" action="/undersoegelse"><input type="hidden" name="lang" value="{l}"><div class="controls">{q}{y}{a}</div><p><button type="submit">{go}</button></p></form>"#,
        l = lang.code(),
        q = select(t, Var::Spoergsmaal, qi, m.su_question, lang),
        y = select(t, Var::Ydelse, yi, m.su_benefit, lang),
        a = select(t, Var::Omraade, ai, m.area, lang),
        go = m.su_show,
    );
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
        return page_for(lang, m.su_title, &b, q);
    };
    let at = |s: usize| {
        let mut c = vec![0; meta.dimensions.len()];
        c[qd] = qi;
        c[sd] = s;
        c[yd] = yi;
        c[ad] = ai;
        c
    };
    let base_note = meta
        .notes(lang)
        .iter()
        .find(|n| n.starts_with(&format!("{}:", question.code)))
        .map(|n| n[question.code.len() + 1..].trim().to_string())
        .unwrap_or_default();
    let n = members
        .first()
        .map(|&s| t.value(&at(s), mn))
        .unwrap_or(Value::NotApplicable);
    let _ = write!(
        b,
        r#"<h2>{qt}</h2><p class="muted"><code>{qc}</code> · {ylab} · {alab}</p><p>{bl} ({nv} {resp}): {bn}</p>"#,
        qt = text(question.label(lang)),
        qc = text(&question.code),
        ylab = text(meta.dimensions[yd].categories[yi].label(lang)),
        alab = text(meta.dimensions[ad].categories[ai].label(lang)),
        bl = m.su_base,
        bn = text(&base_note),
        nv = text(&num(lang, n, 0)),
        resp = m.su_respondents,
    );
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
    if matches!(n, Value::Suppressed) {
        let _ = write!(b, r#"<p class="card">{}</p>"#, text(m.su_hidden));
    }
    b.push_str(&bars(&rows, lang, question.label(lang)));
    let _ = write!(
        b,
        r#"<table><thead><tr><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th><th scope="col">n</th></tr></thead><tbody>"#,
        m.su_answer, m.su_share, m.su_interval
    );
    for (&s, (label, p, lo, hi)) in members.iter().zip(&rows) {
        let _ = write!(
            b,
            r#"<tr><th scope="row">{l} <span class="muted">({c})</span></th><td class="num">{p}</td><td class="num">{lo} – {hi}</td><td class="num">{n}</td></tr>"#,
            l = text(label),
            c = text(&svar_dim.categories[s].code),
            p = num(lang, *p, 1),
            lo = num(lang, *lo, 1),
            hi = num(lang, *hi, 1),
            n = num(lang, t.value(&at(s), mn), 0),
        );
    }
    b.push_str("</tbody></table>");
    let mut dims: Vec<Vec<usize>> = at(0).into_iter().map(|c| vec![c]).collect();
    dims[sd] = members.clone();
    let sel = Selection::new(dims, vec![mp, ml, mh, mn]);
    let _ = write!(
        b,
        r#"<p><a href="{csv}">{dl}</a> · <a href="{api}">{aj}</a> · <a href="/tabel/{id}?lang={l}">{whole}</a></p>"#,
        csv = attr(&api_url(meta, &sel, lang, true)),
        dl = m.download_csv,
        api = attr(&api_url(meta, &sel, lang, false)),
        aj = m.api_jsonstat,
        id = text(&meta.id),
        l = lang.code(),
        whole = m.su_whole_table,
    );
    let _ = write!(b, "<h2>{}</h2><ol>", m.su_questions);
    for c in &meta.dimensions[qd].categories {
        let _ = write!(
            b,
            r#"<li><a href="/undersoegelse?lang={l}&amp;spoergsmaal={code}&amp;ydelse={y}&amp;omraade={a}">{label}</a></li>"#,
            l = lang.code(),
            code = attr(&c.code),
            y = attr(&meta.dimensions[yd].categories[yi].code),
            a = attr(&meta.dimensions[ad].categories[ai].code),
            label = text(c.label(lang)),
        );
    }
    b.push_str("</ol>");
    for note in meta.notes(lang).iter().take(3) {
        let _ = write!(b, r#"<p class="muted">{}</p>"#, text(note));
    }
    page_for(lang, m.su_title, &b, q)
}
