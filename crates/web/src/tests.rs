//! Every page from a small release made by the real pipeline (`samtalebank_testkit`): its title,
//! the selection it was asked for, and its figures as the release (or the analysis) gives them.

use samtalebank_model::{Lang, Var};
use samtalebank_pxweb::Params;
use samtalebank_release::{Release, Table, Value};

use crate::format::num;

fn rel() -> &'static Release {
    samtalebank_testkit::release()
}

/// The coordinates of a cell by codes (every dimension named).
fn at(t: &Table, codes: &[(&str, &str)]) -> Vec<usize> {
    t.meta
        .dimensions
        .iter()
        .map(|d| {
            let code = codes
                .iter()
                .find(|(v, _)| *v == d.id)
                .map(|(_, c)| *c)
                .or(d.total.as_deref())
                .unwrap_or_else(|| panic!("no code for {}", d.id));
            d.position(code).unwrap()
        })
        .collect()
}

fn measure(t: &Table, code: &str) -> usize {
    t.meta.measures.iter().position(|m| m.code == code).unwrap()
}

#[test]
fn the_front_page_lists_every_table_and_every_municipality() {
    let html = crate::home(rel(), &Params::default());
    assert!(
        html.contains("<title>Samtalebank – Samtalebank</title>"),
        "{html}"
    );
    for t in &rel().tables {
        assert!(html.contains(&format!("{}: {}", t.meta.id, t.meta.title(Lang::Da))));
    }
    assert_eq!(html.matches("href=\"/kommune/").count(), 98);
}

#[test]
fn a_table_page_states_its_selection_and_shows_the_releases_figures() {
    let t = rel().table("SAMT01").unwrap();
    let q = Params::parse("omraade=000&omraade=730&periode=aar&aar=2024&ydelse=dagpenge");
    let html = crate::table_page(t, &q);
    assert!(html.contains("<h1>SAMT01: Samtaler efter samtaleform</h1>"));
    assert!(
        html.contains(r#"<option value="dagpenge" selected>"#),
        "the benefit chosen"
    );
    assert!(html.contains(r#"<option value="730" selected>730 Randers</option>"#));
    let antal = measure(t, "antal");
    for area in ["000", "730"] {
        let v = t.value(
            &at(
                t,
                &[("omraade", area), ("tid", "2024"), ("ydelse", "dagpenge")],
            ),
            antal,
        );
        assert!(matches!(v, Value::Num(_)), "{v:?}");
        assert!(
            html.contains(&format!("<td>{}</td>", num(Lang::Da, v, 0))),
            "{area}: {v:?}"
        );
    }
    // The English page: the same figure in English notation.
    let en = crate::table_page(t, &q.with("lang", "en"));
    let v = t.value(
        &at(
            t,
            &[("omraade", "000"), ("tid", "2024"), ("ydelse", "dagpenge")],
        ),
        antal,
    );
    assert!(en.contains(&format!("<td>{}</td>", num(Lang::En, v, 0))));
    assert!(en.contains("lang=\"en\""));
}

#[test]
fn the_municipality_report_shows_its_value_and_rank() {
    let b = rel().table("BENCH01").unwrap();
    let html = crate::kommune_report(rel(), "730", Lang::Da).unwrap();
    assert!(html.contains("<h1>Randers – benchmarkrapport</h1>"));
    let (vaerdi, rang) = (measure(b, "vaerdi"), measure(b, "rang"));
    // The latest year with a national value (2024's six weeks may not be followed yet).
    let year = ["2024", "2023"]
        .into_iter()
        .find(|y| {
            matches!(
                b.value(&at(b, &[("indikator", "pct6"), ("tid", y)]), vaerdi),
                Value::Num(_)
            )
        })
        .unwrap();
    let c = at(
        b,
        &[("indikator", "pct6"), ("omraade", "730"), ("tid", year)],
    );
    let section = html
        .split("Første samtale inden for 6 uger")
        .nth(1)
        .unwrap();
    let row = section
        .split("</tr>")
        .find(|r| r.contains(">Randers<"))
        .unwrap();
    assert!(
        row.contains(&num(Lang::Da, b.value(&c, vaerdi), 1)),
        "{row}"
    );
    assert!(
        row.contains(&format!("<td>{}</td>", num(Lang::Da, b.value(&c, rang), 0))),
        "{row}"
    );
    assert!(crate::kommune_report(rel(), "999", Lang::Da).is_err());
}

#[test]
fn the_gap_page_shows_the_analysis_gap_per_year() {
    let b = rel().table("BENCH01").unwrap();
    let q = Params::parse("group=101,751,851&indicator=pct6&periode=aar");
    let html = crate::gap_page(b, Ok(Default::default()), &q);
    let members =
        samtalebank_analysis::gap::resolve(b, "101,751,851", &Default::default()).unwrap();
    let points = samtalebank_analysis::gap::series(
        b,
        &members,
        "pct6",
        "tot",
        samtalebank_model::PeriodKind::Year,
    )
    .unwrap();
    assert!(
        html.contains("København, Aarhus, Aalborg"),
        "the group named"
    );
    for p in &points {
        let row = html
            .split("</tr>")
            .find(|r| r.contains(&format!("<th scope=\"row\">{}</th>", p.tid)))
            .unwrap();
        assert!(row.contains(&num(Lang::Da, p.gap, 1)), "{row}");
    }
    let bad = crate::gap_page(b, Ok(Default::default()), &Params::parse("group=999"));
    assert!(bad.contains("role=\"alert\""));
}

#[test]
fn the_savings_page_shows_the_calculations_total_and_its_assumptions_in_danish() {
    let p = samtalebank_analysis::savings::Params::from_named(
        &|n| (n == "year").then(|| "2024".to_string()),
        None,
    )
    .unwrap();
    let s = samtalebank_analysis::savings::compute(rel(), &p);
    let total = s.as_ref().unwrap().total.saving_dkk.high;
    let html = crate::savings_page(rel(), &Params::parse("year=2024"), s);
    assert!(html.contains(&format!("{:.1}", total / 1e6).replace('.', ",")));
    assert!(
        html.contains("Antagelser") && html.contains("Sagsbehandlertid koster 430 kr. i timen")
    );
    assert!(!html.contains("docs/savings.md"));
}

#[test]
fn the_survey_page_shows_the_question_and_its_shares() {
    let t = rel().table("SURV01").unwrap();
    let html = crate::survey_page(t, &Params::parse("spoergsmaal=interesse"));
    let pct = measure(t, "pct");
    let (_, q) = t.meta.var(Var::Spoergsmaal).unwrap();
    let question = &q.categories[q.position("interesse").unwrap()];
    assert!(html.contains(&format!("<h2>{}</h2>", question.label(Lang::Da))));
    let svar = t.meta.nesting.as_ref().unwrap().within("interesse")[0].clone();
    let v = t.value(
        &at(
            t,
            &[
                ("spoergsmaal", "interesse"),
                ("svar", &svar),
                ("ydelse", "tot"),
                ("omraade", "000"),
            ],
        ),
        pct,
    );
    assert!(
        html.contains(&format!("<td class=\"num\">{}</td>", num(Lang::Da, v, 1))),
        "{v:?}"
    );
}
