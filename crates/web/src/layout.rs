//! The page shell: the stylesheet inline (so a saved page or a report file stands alone), the
//! header with the language switch, print styles that hide the forms.

use maud::{html, Markup, PreEscaped, DOCTYPE};
use samtalebank_model::Lang;
use samtalebank_pxweb::Params;

use crate::messages::msgs;

/// The site's stylesheet.
pub const CSS: &str = include_str!("static/site.css");

/// A whole HTML document around `body` for a page asked for with `query`: the language switch
/// keeps the page's other parameters (its choices), so switching language shows the same
/// figures.
pub fn page(lang: Lang, title: &str, query: &Params, body: Markup) -> String {
    let m = msgs(lang);
    let other = match lang {
        Lang::Da => Lang::En,
        Lang::En => Lang::Da,
    };
    let mut pairs = vec![("lang".to_string(), other.code().to_string())];
    pairs.extend(
        query
            .pairs()
            .iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case("lang"))
            .cloned(),
    );
    let switch = Params::new(pairs);
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width,initial-scale=1";
                title { (title) " – Samtalebank" }
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    a href={ "/?lang=" (lang.code()) } { "Samtalebank" }
                    nav {
                        a href={ "/api/v2/tables?lang=" (lang.code()) } { (m.api) }
                        a href={ "?" (switch.to_query()) } hreflang=(other.code()) { (m.other_language) }
                    }
                }
                main id="main" { (body) }
            }
        }
    }
    .into_string()
}

/// The page for a path that does not exist.
pub fn not_found(lang: Lang, path: &str) -> String {
    let m = msgs(lang);
    page(
        lang,
        m.not_found_title,
        &Params::default(),
        html! {
            h1 { (m.not_found_title) }
            p { code { (path) } " " (m.not_found_text) " " a href={ "/?lang=" (lang.code()) } { (m.to_front_page) } "." }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_switch_keeps_the_pages_choices() {
        let q = Params::parse("lang=en&omraade=101&omraade=147&svar=4%2B");
        let html = page(Lang::En, "t", &q, html! {});
        assert!(
            html.contains(r#"<a href="?lang=da&amp;omraade=101&amp;omraade=147&amp;svar=4%2B" hreflang="da">Dansk</a>"#),
            "{html}"
        );
        assert!(page(Lang::Da, "t", &Params::default(), html! {})
            .contains(r#"<a href="?lang=en" hreflang="en">English</a>"#));
    }

    #[test]
    fn text_is_escaped_wherever_it_goes() {
        let html = not_found(Lang::Da, "/<script>alert(1)</script>\"");
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;"),
            "{html}"
        );
    }
}
