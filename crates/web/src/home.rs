//! `/`: the tables of the release, the savings calculator, the citizen survey and the
//! municipalities' benchmark reports.

use std::fmt::Write;

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use samtalebank_model::{is_kommune, Lang, Var};
use samtalebank_release::Release;

use crate::layout::page;
use crate::messages::msgs;

/// The front page.
pub fn home(rel: &Release, lang: Lang) -> String {
    let m = msgs(lang);
    let mut b = String::new();
    let _ = write!(
        b,
        "<h1>Samtalebank</h1><p>{}</p><h2>{}</h2>",
        m.site_intro, m.tables
    );
    for t in &rel.tables {
        let meta = &t.meta;
        // A table without a time dimension (the survey) has no period to show.
        let period = match (meta.first_period(), meta.last_period()) {
            (Some(first), Some(last)) => {
                format!("{}: {} – {}. ", m.period, text(first), text(last))
            }
            _ => String::new(),
        };
        let _ = write!(
            b,
            r#"<div class="card"><h3><a href="/tabel/{id}?lang={l}">{id}: {title}</a></h3><p>{desc}</p><p class="muted">{period}{upd}: {updated}</p></div>"#,
            id = text(&meta.id),
            l = lang.code(),
            title = text(meta.title(lang)),
            desc = text(meta.description(lang)),
            upd = m.updated,
            updated = text(&meta.updated),
        );
    }
    if rel.table("SAMT01").is_some() {
        let _ = write!(
            b,
            r#"<div class="card"><h3><a href="/besparelse?lang={l}">{t}</a></h3><p>{d}</p></div>"#,
            l = lang.code(),
            t = m.sv_title,
            d = text(m.sv_intro),
        );
    }
    if rel.table("SURV01").is_some() {
        let _ = write!(
            b,
            r#"<div class="card"><h3><a href="/undersoegelse?lang={l}">{t}</a></h3><p>{d}</p></div>"#,
            l = lang.code(),
            t = m.su_title,
            d = text(m.su_intro),
        );
    }
    if let Some((_, area)) = rel.table("BENCH01").and_then(|t| t.meta.var(Var::Omraade)) {
        let _ = write!(b, "<h2>{}</h2><p>", m.kommune_reports);
        let links: Vec<String> = area
            .categories
            .iter()
            .filter(|c| is_kommune(&c.code))
            .map(|c| {
                format!(
                    r#"<a href="/kommune/{}?lang={}">{}</a>"#,
                    attr(&c.code),
                    lang.code(),
                    text(&c.label_da)
                )
            })
            .collect();
        b.push_str(&links.join(" · "));
        b.push_str("</p>");
    }
    let _ = write!(
        b,
        r#"<p class="muted">{} <code>{}</code>. <a href="/api/v2/config">/api/v2/config</a></p>"#,
        m.release,
        text(&rel.manifest.id)
    );
    page(lang, "Samtalebank", &b)
}
