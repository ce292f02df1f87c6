//! The page shell: the stylesheet inline (so a saved page or a report file stands alone), a skip
//! link, the header with the site's sections and the language switch, and for print the page's
//! address and the time it was made.

use maud::{html, Markup, PreEscaped, DOCTYPE};
use samtalebank_model::Lang;
use samtalebank_pxweb::Params;

use crate::format::date_words;
use crate::messages::msgs;

/// The site's stylesheet.
pub const CSS: &str = include_str!("static/site.css");

/// A page as the server sends it: its status (200, or 400 for a request the page cannot take
/// literally, 404 for what does not exist) and its document.
#[derive(Debug, Clone)]
pub struct Page {
    pub status: u16,
    pub html: String,
}

impl Page {
    pub fn ok(html: String) -> Page {
        Page { status: 200, html }
    }
}

/// Where a page is: its path and query (for the language switch and the printed address).
#[derive(Debug, Clone, Copy)]
pub struct Here<'a> {
    pub path: &'a str,
    pub query: &'a Params,
}

impl Here<'_> {
    pub fn lang(&self) -> Lang {
        self.query.lang()
    }
}

/// A whole HTML document around `body`. The language switch keeps the page's other parameters
/// (its choices), so switching language shows the same figures. `links` is false for a page
/// read from disk (the report file): the site's sections are then not linked.
pub fn document(here: Here<'_>, title: &str, body: Markup, links: bool) -> String {
    let lang = here.lang();
    let m = msgs(lang);
    let other = match lang {
        Lang::Da => Lang::En,
        Lang::En => Lang::Da,
    };
    let mut pairs = vec![("lang".to_string(), other.code().to_string())];
    pairs.extend(
        here.query
            .pairs()
            .iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case("lang"))
            .cloned(),
    );
    let switch = Params::new(pairs);
    let l = lang.code();
    let full_title = if title == "Samtalebank" {
        title.to_string()
    } else {
        format!("{title} – Samtalebank")
    };
    let address = if here.query.pairs().is_empty() {
        here.path.to_string()
    } else {
        format!("{}?{}", here.path, here.query.to_query())
    };
    let made = chrono::Utc::now().to_rfc3339();
    html! {
        (DOCTYPE)
        html lang=(l) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width,initial-scale=1";
                title { (full_title) }
                @if links {
                    link rel="alternate" type="application/atom+xml" title="Samtalebank: udgivelser" href="/udgivelser.atom";
                }
                style { (PreEscaped(CSS)) }
            }
            body {
                a.skip href="#main" { (m.skip_to_content) }
                header {
                    @if links {
                        a href={ "/?lang=" (l) } { "Samtalebank" }
                        nav aria-label=(m.sections) {
                            a href={ "/kommuner?lang=" (l) } { (m.nav_kommuner) }
                            a href={ "/rangering?lang=" (l) } { (m.nav_ranking) }
                            a href={ "/kort?lang=" (l) } { (m.nav_map) }
                            a href={ "/besparelse?lang=" (l) } { (m.nav_savings) }
                            a href={ "/undersoegelse?lang=" (l) } { (m.nav_survey) }
                            a href={ "/nyt?lang=" (l) } { (m.nav_news) }
                            a href={ "/api/v2/tables?lang=" (l) } { (m.api) }
                            a href={ (here.path) "?" (switch.to_query()) } hreflang=(other.code()) lang=(other.code()) { (m.other_language) }
                        }
                    } @else {
                        span { "Samtalebank" }
                    }
                }
                main id="main" tabindex="-1" {
                    (body)
                    p.printinfo { (m.printed_from) " " (address) " · " (date_words(lang, &made)) }
                }
            }
        }
    }
    .into_string()
}

/// A page of the site (`document` with the site's links).
pub fn page(here: Here<'_>, title: &str, body: Markup) -> String {
    document(here, title, body, true)
}

/// The page for a path that does not exist.
pub fn not_found(lang: Lang, path: &str) -> String {
    let m = msgs(lang);
    let q = Params::new(vec![("lang".into(), lang.code().into())]);
    page(
        Here { path, query: &q },
        m.not_found_title,
        html! {
            h1 { (m.not_found_title) }
            p { code { (path) } " " (m.not_found_text) " " a href={ "/?lang=" (lang.code()) } { (m.to_front_page) } "." }
        },
    )
}

/// A page of a release the public does not see (an admin's preview of a candidate), marked as
/// such at its top, under the site's header, in the page's language.
pub fn mark_preview(page: &str, release: &str) -> String {
    let en = page.contains("<html lang=\"en\"");
    let text = if en {
        "Not published: a preview of release"
    } else {
        "Ikke offentliggjort: forhåndsvisning af udgivelse"
    };
    let note = html! {
        div.preview role="status" { strong { (text) } " " code { (release) } }
    }
    .into_string();
    match page.find("</header>") {
        Some(i) => {
            let at = i + "</header>".len();
            format!("{}{note}{}", &page[..at], &page[at..])
        }
        None => format!("{note}{page}"),
    }
}

/// The admin's preview form (`/admin/forhaandsvisning`): the admin token and a release id;
/// posting it starts a preview in this browser, or stops it.
pub fn preview_page(lang: Lang, refused: bool) -> String {
    let m = msgs(lang);
    let q = Params::new(vec![("lang".into(), lang.code().into())]);
    page(
        Here {
            path: "/admin/forhaandsvisning",
            query: &q,
        },
        m.pv_title,
        html! {
            h1 { (m.pv_title) }
            p { (m.pv_intro) }
            @if refused { (notice(m.pv_refused)) }
            form method="post" action={ "/admin/forhaandsvisning?lang=" (lang.code()) } {
                p {
                    label for="token" { (m.pv_token) } br;
                    input type="password" id="token" name="token" autocomplete="current-password" required;
                }
                p {
                    label for="release" { (m.pv_release) } br;
                    input type="text" id="release" name="release" size="32" required;
                }
                button type="submit" { (m.pv_start) }
            }
            form method="post" action={ "/admin/forhaandsvisning?lang=" (lang.code()) } {
                input type="hidden" name="stop" value="1";
                p { button type="submit" { (m.pv_stop) } }
            }
        },
    )
}

/// A notice of what was wrong with a request and what was shown instead.
pub fn notice(text: &str) -> Markup {
    html! { div.notice role="alert" { (text) } }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_switch_keeps_the_pages_choices() {
        let q = Params::parse("lang=en&omraade=101&omraade=147&svar=4%2B");
        let html = page(
            Here {
                path: "/tabel/SAMT01",
                query: &q,
            },
            "t",
            html! {},
        );
        assert!(
            html.contains(r#"<a href="/tabel/SAMT01?lang=da&amp;omraade=101&amp;omraade=147&amp;svar=4%2B" hreflang="da" lang="da">Dansk</a>"#),
            "{html}"
        );
        assert!(html.contains("<title>t – Samtalebank</title>"));
        assert!(html.contains(r##"<a class="skip" href="#main">"##));
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

    #[test]
    fn a_preview_is_marked_under_the_header_in_the_pages_language() {
        let q = Params::parse("lang=en");
        let html = page(
            Here {
                path: "/",
                query: &q,
            },
            "t",
            html! { p { "body" } },
        );
        let marked = mark_preview(&html, "20270107T080000Z-1234abcd");
        let note = marked.find("Not published: a preview of release").unwrap();
        assert!(marked.find("</header>").unwrap() < note, "{marked}");
        assert!(note < marked.find("<main").unwrap(), "{marked}");
        assert!(marked.contains("<code>20270107T080000Z-1234abcd</code>"));
        let da = mark_preview(&html.replace("lang=\"en\"", "lang=\"da\""), "x<y");
        assert!(da.contains("Ikke offentliggjort"), "{da}");
        assert!(da.contains("x&lt;y"), "{da}");
    }

    #[test]
    fn the_front_page_is_titled_once() {
        let q = Params::default();
        let html = page(
            Here {
                path: "/",
                query: &q,
            },
            "Samtalebank",
            html! {},
        );
        assert!(html.contains("<title>Samtalebank</title>"));
    }
}
