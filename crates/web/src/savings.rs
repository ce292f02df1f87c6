//! `/besparelse`: the savings calculator (docs/savings.md) as a page: a plain form, the result per
//! benefit as a table and a bar chart, what the minister's figure implies, the sensitivity
//! table, every assumption, and the API URL of the same calculation.

use std::fmt::Write;

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use samtalebank_analysis::savings::{Savings, Scope};
use samtalebank_model::{Lang, Var};
use samtalebank_release::Release;

use crate::layout::page_for;
use crate::messages::msgs;

fn millions(lang: Lang, x: f64) -> String {
    let s = format!("{:.1}", x / 1e6);
    if lang == Lang::Da {
        s.replace('.', ",")
    } else {
        s
    }
}

fn whole(lang: Lang, x: f64) -> String {
    let digits = format!("{:.0}", x.max(0.0));
    let sep = if lang == Lang::Da { '.' } else { ',' };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

fn pct(lang: Lang, x: f64) -> String {
    let s = format!("{x:.1}");
    if lang == Lang::Da {
        s.replace('.', ",")
    } else {
        s
    }
}

/// Horizontal bars per benefit: the low end solid, the range to the high end lighter.
fn bars(s: &Savings, lang: Lang, title: &str, label: &dyn Fn(&str) -> String) -> String {
    let max = s
        .groups
        .iter()
        .map(|g| g.saving_dkk.high)
        .fold(0.0, f64::max)
        .max(1.0);
    let (w, label_w, row) = (720.0, 300.0, 22.0);
    let h = row * s.groups.len() as f64 + 30.0;
    let mut svg = format!(
        r#"<svg viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{t}"><title>{t}</title>"#,
        t = attr(title)
    );
    for (i, g) in s.groups.iter().enumerate() {
        let y = 10.0 + row * i as f64;
        let scale = (w - label_w - 70.0) / max;
        let lo = g.saving_dkk.low * scale;
        let hi = g.saving_dkk.high * scale;
        let _ = write!(
            svg,
            "<text x=\"{lx}\" y=\"{ty}\" font-size=\"12\" text-anchor=\"end\">{l}</text><rect x=\"{label_w}\" y=\"{y}\" width=\"{lo:.1}\" height=\"14\" fill=\"#1f5f8b\"/><rect x=\"{x2:.1}\" y=\"{y}\" width=\"{d:.1}\" height=\"14\" fill=\"#9cc3dd\"/><text x=\"{vx:.1}\" y=\"{ty}\" font-size=\"11\">{v1}–{v2}</text>",
            lx = label_w - 6.0,
            ty = y + 11.0,
            l = text(&{
                let l = label(&g.ydelse);
                if l.chars().count() > 40 {
                    format!("{}…", l.chars().take(39).collect::<String>())
                } else {
                    l
                }
            }),
            x2 = label_w + lo,
            d = (hi - lo).max(0.0),
            vx = label_w + hi + 4.0,
            v1 = millions(lang, g.saving_dkk.low),
            v2 = millions(lang, g.saving_dkk.high),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The page: `q` is the query string (for the form and the API link); `result` the calculation
/// or why it could not be made.
///
/// Long: One page written top to bottom in the order it shows (form, result table, chart,
/// implied figures, sensitivity, assumptions, API link).
pub fn savings_page(
    rel: &Release,
    q: &[(String, String)],
    result: Result<Savings, String>,
    lang: Lang,
) -> String {
    let m = msgs(lang);
    let param = |name: &str, default: &str| {
        q.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| default.to_string())
    };
    let years = samtalebank_analysis::savings::years(rel);
    let year = param("year", years.last().map_or("", String::as_str));
    let ydelse = rel
        .table("SAMT01")
        .and_then(|t| t.meta.var(Var::Ydelse).map(|(_, d)| d.clone()));
    let label = |code: &str| -> String {
        ydelse
            .as_ref()
            .and_then(|d| {
                d.position(code)
                    .map(|i| d.categories[i].label(lang).to_string())
            })
            .unwrap_or_else(|| code.to_string())
    };
    let scope = param("scope", "6m");
    let scenario = param("scenario", "agreement");
    let mut b = format!("<h1>{}</h1><p>{}</p>", m.sv_title, text(m.sv_intro));
    let _ = write!(
        b,
        r#"<form method="get" action="/besparelse"><input type="hidden" name="lang" value="{l}"><div class="controls"><div><label for="year">{yl}</label><select id="year" name="year">"#,
        l = lang.code(),
        yl = m.year
    );
    for y in &years {
        let _ = write!(
            b,
            r#"<option value="{v}"{s}>{v}</option>"#,
            v = attr(y),
            s = if *y == year { " selected" } else { "" }
        );
    }
    let _ = write!(
        b,
        r#"</select></div><div><label for="area">{al}</label><input id="area" name="area" value="{av}" size="6"></div><div><label for="scope">{sl}</label><select id="scope" name="scope"><option value="6m"{s6}>{s6l}</option><option value="all"{sa}>{sal}</option></select></div><div><label for="scenario">{scl}</label><select id="scenario" name="scenario">"#,
        al = m.area,
        av = attr(&param("area", "000")),
        sl = m.sv_scope,
        s6 = if scope == "6m" { " selected" } else { "" },
        s6l = m.sv_scope_6m,
        sa = if scope == "all" { " selected" } else { "" },
        sal = m.sv_scope_all,
        scl = m.sv_scenario,
    );
    for (v, l) in [
        ("agreement", m.sv_agreement),
        ("all-digital", m.sv_all_digital),
        ("observed", m.sv_observed),
    ] {
        let _ = write!(
            b,
            r#"<option value="{v}"{s}>{l}</option>"#,
            s = if scenario == v { " selected" } else { "" }
        );
    }
    let _ = write!(
        b,
        r#"</select></div><div><label for="minutes">{ml}</label><input id="minutes" name="minutes" value="{mv}" size="6"></div><div><label for="hourlyCost">{hl}</label><input id="hourlyCost" name="hourlyCost" value="{hv}" size="6"></div></div><p><button type="submit">{go}</button></p></form>"#,
        ml = m.sv_minutes,
        mv = attr(&param("minutes", "10-15")),
        hl = m.sv_hourly,
        hv = attr(&param(
            "hourlyCost",
            &samtalebank_analysis::savings::DEFAULT_HOURLY_COST.to_string()
        )),
        go = m.sv_compute,
    );
    let s = match result {
        Ok(s) => s,
        Err(e) => {
            let _ = write!(b, r#"<p class="card" role="alert">{}</p>"#, text(&e));
            return page_for(lang, m.sv_title, &b, q);
        }
    };
    let _ = write!(
        b,
        "<table><caption>{} {} ({}), {}</caption><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        text(&s.area_label),
        text(&s.year),
        text(&s.area),
        match s.scope {
            Scope::SixMonths => m.sv_scope_6m,
            Scope::All => m.sv_scope_all,
        },
        m.sv_benefit,
        m.sv_conversations,
        m.sv_observed_pct,
        m.sv_assumed_pct,
        m.sv_saving,
        m.sv_incremental
    );
    for g in &s.groups {
        let _ = write!(
            b,
            "<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}–{}</td><td class=\"n\">{}–{}</td></tr>",
            text(&label(&g.ydelse)),
            whole(lang, g.conversations),
            g.observed_digital_pct.map_or("-".into(), |v| pct(lang, v)),
            pct(lang, g.assumed_digital_pct),
            millions(lang, g.saving_dkk.low),
            millions(lang, g.saving_dkk.high),
            millions(lang, g.incremental_dkk.low),
            millions(lang, g.incremental_dkk.high),
        );
    }
    let t = &s.total;
    let _ = write!(
        b,
        "<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td><td></td><td></td><td class=\"n\"><strong>{}–{}</strong></td><td class=\"n\">{}–{}</td></tr></tbody></table>",
        m.sv_total,
        whole(lang, t.conversations),
        millions(lang, t.saving_dkk.low),
        millions(lang, t.saving_dkk.high),
        millions(lang, t.incremental_dkk.low),
        millions(lang, t.incremental_dkk.high),
    );
    let _ = write!(
        b,
        "<h2>{}</h2>{}",
        m.sv_chart,
        bars(&s, lang, m.sv_chart, &label)
    );
    let i = &s.implied;
    let _ = write!(
        b,
        "<p class=\"card\">{}: <strong>{}–{}</strong> mio. kr. ({}: 85–130).",
        m.sv_all_digital_line,
        millions(lang, i.all_digital_dkk.low),
        millions(lang, i.all_digital_dkk.high),
        m.sv_minister
    );
    if let (Some(a), Some(c)) = (i.hourly_cost_for_85m, i.hourly_cost_for_130m) {
        let _ = write!(
            b,
            " {} {} / {} kr.",
            m.sv_implied,
            whole(lang, a),
            whole(lang, c)
        );
    }
    b.push_str("</p>");
    let _ = write!(
        b,
        "<h2>{}</h2><table><thead><tr><th scope=\"col\">min.</th>",
        m.sv_sensitivity
    );
    let shares = [25.0, 35.0, 45.0, 100.0];
    for sh in shares {
        let _ = write!(b, "<th scope=\"col\">{} %</th>", pct(lang, sh));
    }
    b.push_str("</tr></thead><tbody>");
    for minutes in [5.0, 10.0, 15.0, 20.0] {
        let _ = write!(b, "<tr><th scope=\"row\">{minutes}</th>");
        for sh in shares {
            let v = s
                .sensitivity
                .iter()
                .find(|x| x.minutes == minutes && x.share_pct == sh)
                .map_or(0.0, |x| x.saving_dkk);
            let _ = write!(b, "<td class=\"n\">{}</td>", millions(lang, v));
        }
        b.push_str("</tr>");
    }
    b.push_str("</tbody></table>");
    let _ = write!(b, "<h2>{}</h2><ul class=\"notes\">", m.sv_assumptions);
    for a in &s.assumptions {
        let _ = write!(b, "<li>{}</li>", text(a));
    }
    b.push_str("</ul>");
    let enc = |v: &str| form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
    let api = format!(
        "/api/v2/savings?year={}&area={}&scope={}&scenario={}&minutes={}&hourlyCost={}",
        enc(&s.year),
        enc(&s.area),
        match s.scope {
            Scope::SixMonths => "6m",
            Scope::All => "all",
        },
        enc(&s.scenario),
        enc(&param("minutes", "10-15")),
        s.hourly_cost_dkk
    ) + &q
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("shares"))
        .map_or(String::new(), |(_, v)| format!("&shares={}", enc(v)));
    let _ = write!(
        b,
        r#"<div class="links"><p>{}: <a href="{}"><code>{}</code></a> · <a href="{}&amp;outputFormat=csv">CSV</a></p></div>"#,
        m.sv_api,
        attr(&api),
        text(&api),
        attr(&api)
    );
    page_for(lang, m.sv_title, &b, q)
}
