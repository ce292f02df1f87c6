//! The page shell: inline CSS, header with the language switch, no external resources (so a
//! saved page or a report file stands alone), print styles that hide the forms.

use html_escape::encode_text as text;
use samtalebank_model::Lang;

use crate::messages::msgs;

const CSS: &str = r#"
:root{--ink:#1a1a1a;--muted:#555;--line:#c8c8c8;--accent:#0b5394;--bg:#fff;--band:#f3f6fa}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:var(--ink);background:var(--bg);margin:0;line-height:1.45}
header{background:var(--accent);color:#fff;padding:.8rem 1.5rem;display:flex;justify-content:space-between;align-items:center}
header a{color:#fff;text-decoration:none;font-weight:600}
header nav a{margin-left:1rem;font-weight:400;text-decoration:underline}
main{max-width:72rem;margin:0 auto;padding:1rem 1.5rem 3rem}
a{color:var(--accent)}
a:focus,button:focus,select:focus,input:focus{outline:3px solid #f1c232;outline-offset:2px}
fieldset{border:1px solid var(--line);padding:.6rem .9rem;margin:0 0 .8rem}
legend{font-weight:600}
.controls{display:grid;grid-template-columns:repeat(auto-fit,minmax(14rem,1fr));gap:.8rem}
label{display:block;font-weight:600;margin-bottom:.2rem}
select{width:100%;padding:.3rem;font-size:1rem}
.check{font-weight:400;display:inline-block;margin-right:.7rem}
button{background:var(--accent);color:#fff;border:0;padding:.55rem 1.2rem;font-size:1rem;cursor:pointer}
table{border-collapse:collapse;width:100%;margin:.8rem 0;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid var(--line);padding:.3rem .5rem;text-align:right}
th:first-child,td:first-child,th.l,td.l{text-align:left}
thead th{background:var(--band);position:sticky;top:0}
caption{text-align:left;font-weight:600;padding:.3rem 0}
.muted{color:var(--muted)}
.notes{font-size:.9rem;color:var(--muted)}
.links code{background:var(--band);padding:.1rem .3rem;word-break:break-all}
.card{border:1px solid var(--line);padding:1rem;margin:1rem 0}
@media print{header nav,form,.links{display:none}header{background:none;color:#000;border-bottom:2px solid #000}header a{color:#000}main{max-width:none}}
"#;

/// A whole HTML document around `body`.
pub fn page(lang: Lang, title: &str, body: &str) -> String {
    page_for(lang, title, body, &[])
}

/// A whole HTML document around `body` for a page asked for with `query`: the language switch
/// keeps the page's other parameters (its choices), so switching language shows the same figures.
pub fn page_for(lang: Lang, title: &str, body: &str, query: &[(String, String)]) -> String {
    let m = msgs(lang);
    let other = match lang {
        Lang::Da => Lang::En,
        Lang::En => Lang::Da,
    };
    let mut switch = form_urlencoded::Serializer::new(String::new());
    switch.append_pair("lang", other.code());
    for (k, v) in query
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("lang"))
    {
        switch.append_pair(k, v);
    }
    let switch = html_escape::encode_double_quoted_attribute(&switch.finish()).into_owned();
    format!(
        r#"<!doctype html><html lang="{l}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>{t} – Samtalebank</title><style>{CSS}</style></head><body><header><a href="/?lang={l}">Samtalebank</a><nav><a href="/api/v2/tables?lang={l}">{api}</a><a href="?{switch}" hreflang="{ol}">{on}</a></nav></header><main id="main">{body}</main></body></html>"#,
        l = lang.code(),
        t = text(title),
        api = m.api,
        ol = other.code(),
        on = m.other_language,
    )
}

/// The page for a path that does not exist.
pub fn not_found(lang: Lang, path: &str) -> String {
    let m = msgs(lang);
    page(
        lang,
        m.not_found_title,
        &format!(
            "<h1>{}</h1><p><code>{}</code> {} <a href=\"/?lang={}\">{}</a>.</p>",
            m.not_found_title,
            text(path),
            m.not_found_text,
            lang.code(),
            m.to_front_page
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_switch_keeps_the_pages_choices() {
        let q = vec![
            ("lang".to_string(), "en".to_string()),
            ("omraade".to_string(), "101".to_string()),
            ("omraade".to_string(), "147".to_string()),
            ("svar".to_string(), "4+".to_string()),
        ];
        let html = page_for(Lang::En, "t", "", &q);
        assert!(
            html.contains(r#"<a href="?lang=da&amp;omraade=101&amp;omraade=147&amp;svar=4%2B" hreflang="da">Dansk</a>"#),
            "{html}"
        );
        assert!(page(Lang::Da, "t", "").contains(r#"<a href="?lang=en" hreflang="en">English</a>"#));
    }
}
