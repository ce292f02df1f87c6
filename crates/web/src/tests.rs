//! Every page from a small release made by the real pipeline (`samtalebank_testkit`): its title,
//! the selection it was asked for, and its figures as the release (or the analysis) gives them.

use samtalebank_model::{Lang, Var};
use samtalebank_pxweb::Params;
use samtalebank_release::{Release, Table, Value};

use crate::format::num;

fn rel() -> &'static Release {
    samtalebank_testkit::release()
}

/// The coordinates of a cell by codes (every dimension without one at its total).
fn at(t: &Table, codes: &[(&str, &str)]) -> Vec<usize> {
    crate::home::cell(t, codes).unwrap_or_else(|| panic!("no cell {codes:?}"))
}

fn measure(t: &Table, code: &str) -> usize {
    t.meta.measures.iter().position(|m| m.code == code).unwrap()
}

#[test]
fn the_front_page_tells_the_latest_digital_share_from_the_release() {
    let html = crate::home(rel(), &Params::default());
    assert!(html.contains("<title>Samtalebank</title>"), "one title");
    let t = rel().table("SAMT01").unwrap();
    // 2024 is the latest complete year of the fixture (data to the end of 2024).
    let v = t.value(&at(t, &[("tid", "2024")]), measure(t, "digital_pct"));
    let shown: f64 = html
        .split(r#"data-period="2024" data-value=""#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (shown - v.num().unwrap()).abs() <= 0.05 + 1e-9,
        "{shown} {v:?}"
    );
    assert!(html.contains(&format!("{} %", num(Lang::Da, v, 1))));
    assert_eq!(
        html.matches("href=\"/kommune/").count(),
        98,
        "the map's tiles link to the municipalities"
    );
    for t in &rel().tables {
        assert!(html.contains(&format!("{}: {}", t.meta.id, t.meta.title(Lang::Da))));
    }
}

#[test]
fn the_ranking_lists_all_98_in_rank_order_with_their_bases() {
    let p = crate::ranking_page(
        rel(),
        &Params::parse("indikator=pct6&tid=2023&kommune=Randers"),
    );
    assert_eq!(p.status, 200);
    let b = rel().table("BENCH01").unwrap();
    let (vaerdi, rang) = (measure(b, "vaerdi"), measure(b, "rang"));
    let table = p.html.split("<table id=\"ranking\">").nth(1).unwrap();
    let rows: Vec<&str> = table
        .split("<tr")
        .skip(2)
        .filter(|r| r.contains("/kommune/"))
        .collect();
    assert_eq!(rows.len(), 98);
    let mut last = f64::INFINITY;
    for r in &rows {
        let code = r
            .split("/kommune/")
            .nth(1)
            .unwrap()
            .split('?')
            .next()
            .unwrap();
        let c = at(
            b,
            &[("indikator", "pct6"), ("omraade", code), ("tid", "2023")],
        );
        let v = b.value(&c, vaerdi);
        assert!(
            r.contains(&format!("<td>{}</td>", num(Lang::Da, v, 1))),
            "{code}: {r}"
        );
        assert!(
            r.contains(&format!("<td>{}</td>", num(Lang::Da, b.value(&c, rang), 0))),
            "{code}"
        );
        if let Some(x) = v.num() {
            assert!(x <= last, "in rank order");
            last = x;
        }
    }
    assert!(rows
        .iter()
        .any(|r| r.contains("class=\"mine\"") && r.contains("Randers")));
}

#[test]
fn the_map_has_a_tile_per_municipality_with_its_value() {
    let p = crate::map_page(rel(), &Params::parse("indikator=pct6&tid=2023"));
    assert_eq!(p.status, 200);
    let b = rel().table("BENCH01").unwrap();
    let vaerdi = measure(b, "vaerdi");
    let tiles: Vec<&str> = p.html.split("<rect data-code=\"").skip(1).collect();
    assert_eq!(tiles.len(), 98);
    for t in tiles {
        let code = t.split('"').next().unwrap();
        let value = t
            .split("data-value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let v = b.value(
            &at(
                b,
                &[("indikator", "pct6"), ("omraade", code), ("tid", "2023")],
            ),
            vaerdi,
        );
        match v.num() {
            // One decimal: within half a unit of the release's value.
            Some(x) => assert!(
                (value.parse::<f64>().unwrap() - x).abs() <= 0.05 + 1e-9,
                "{code}: {value} {x}"
            ),
            None => assert_eq!(value, num(Lang::Da, v, 1), "{code}"),
        }
    }
}

#[test]
fn a_table_with_several_values_a_pivot_and_the_latest_periods_shows_the_releases_cells() {
    let t = rel().table("SAMT01").unwrap();
    let q = Params::parse(
        "omraade=000&omraade=730&ydelse=dagpenge&ydelse=sygedagpenge&samtaleform=tot&periode=kvartal&seneste=3&maal=antal&raekker=omraade,ydelse&kolonner=tid",
    );
    let p = crate::table_page(t, &q);
    assert_eq!(p.status, 200, "{}", p.html);
    assert!(
        p.html.contains("Samtaler efter samtaleform: "),
        "the selection in the caption"
    );
    let antal = measure(t, "antal");
    let quarters = ["2024K2", "2024K3", "2024K4"];
    let body = p.html.split("<tbody>").nth(1).unwrap();
    let rows: Vec<&str> = body.split("</tr>").filter(|r| r.contains("<td")).collect();
    assert_eq!(rows.len(), 4, "2 areas × 2 benefits");
    let mut i = 0;
    for a in ["000", "730"] {
        for y in ["dagpenge", "sygedagpenge"] {
            for q in quarters {
                let v = t.value(&at(t, &[("omraade", a), ("ydelse", y), ("tid", q)]), antal);
                assert!(
                    rows[i].contains(&format!("<td>{}</td>", num(Lang::Da, v, 0))),
                    "{a} {y} {q}: {}",
                    rows[i]
                );
            }
            i += 1;
        }
    }
    for q in quarters {
        assert!(p.html.contains(&format!("<th scope=\"col\">{q} ")));
    }
    assert!(!p.html.contains(">2024K1 "), "only the latest 3 quarters");
}

#[test]
fn an_unknown_value_or_parameter_is_a_notice_and_a_400_never_another_table() {
    let t = rel().table("SAMT01").unwrap();
    for q in [
        "omraade=999",
        "omraade=Randers",
        "ydelse=foo",
        "foo=bar",
        "periode=uge",
        "seneste=0",
    ] {
        let p = crate::table_page(t, &Params::parse(q));
        assert_eq!(p.status, 400, "{q}");
        assert!(p.html.contains("role=\"alert\""), "{q}");
        assert!(!p.html.contains("<table id=\"data\""), "{q}: no table");
    }
    let p = crate::ranking_page(rel(), &Params::parse("indikator=nope"));
    assert_eq!(p.status, 400);
}

#[test]
fn a_selection_over_the_pages_limit_is_said_and_offered_as_a_download() {
    let t = rel().table("SAMT01").unwrap();
    // 104 areas × 8 quarters × 5 forms × 2 measures: over the page's 5,000, under the API's.
    let p = crate::table_page(t, &Params::parse("omraade=*&periode=kvartal"));
    assert_eq!(p.status, 200);
    assert!(p.html.contains("role=\"alert\"") && !p.html.contains("<table id=\"data\""));
    assert!(p.html.contains("8.320"), "the count said");
    assert!(
        p.html.contains("outputFormat=xlsx"),
        "offered as a download"
    );
    // Over the API's limit too: no download offered, the reader is told to narrow it.
    let p = crate::table_page(t, &Params::parse("omraade=*&periode=maaned&ydelse=*"));
    assert!(p.html.contains("100.000") && !p.html.contains("outputFormat=xlsx"));
}

#[test]
fn the_municipality_page_shows_its_value_base_and_rank_and_the_report_has_no_dead_links() {
    let b = rel().table("BENCH01").unwrap();
    let html = crate::kommune_page(rel(), "Randers", &Params::default()).unwrap();
    assert!(html.contains("<h1>Randers – kommunens tal</h1>"));
    let (vaerdi, rang) = (measure(b, "vaerdi"), measure(b, "rang"));
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
        .split("<h2>Første samtale inden for 6 uger")
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
    let n = b.stored(&c, 1).unwrap();
    assert!(
        row.contains(&format!(
            "<td>{}</td>",
            num(Lang::Da, Value::Num(f64::from(n)), 0)
        )),
        "the base: {row}"
    );
    assert!(
        html.contains("/tabel/SAMT01?lang=da&amp;omraade=730"),
        "tables preset to it"
    );
    let report = crate::kommune_report(rel(), "730", Lang::Da, None).unwrap();
    assert!(
        !report.contains("href=\"/"),
        "no link relative to a file on disk"
    );
    let linked = crate::kommune_report(rel(), "730", Lang::Da, Some("https://sb.example")).unwrap();
    assert!(linked.contains("href=\"https://sb.example/tabel/SAMT01?"));
    assert!(crate::kommune_page(rel(), "999", &Params::default()).is_err());
}

#[test]
fn the_gap_page_shows_the_analysis_gap_per_year_for_a_picked_group() {
    let b = rel().table("BENCH01").unwrap();
    let q = Params::parse("kommune=101&kommune=751&kommune=851&indikator=pct6&periode=aar");
    let p = crate::gap_page(b, Ok(Default::default()), &q);
    assert_eq!(p.status, 200);
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
    for pt in &points {
        let row = p
            .html
            .split("</tr>")
            .find(|r| r.contains(&format!("<th scope=\"row\">{}</th>", pt.tid)))
            .unwrap();
        assert!(row.contains(&num(Lang::Da, pt.gap, 1)), "{row}");
    }
    let bad = crate::gap_page(b, Ok(Default::default()), &Params::parse("kommune=999"));
    assert_eq!(bad.status, 400);
    assert!(bad.html.contains("role=\"alert\""));
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

#[test]
fn every_page_has_unique_ids() {
    let b = rel().table("BENCH01").unwrap();
    let pages = [
        crate::home(rel(), &Params::default()),
        crate::kommune_page(rel(), "730", &Params::default()).unwrap(),
        crate::table_page(rel().table("SAMT01").unwrap(), &Params::default()).html,
        crate::ranking_page(rel(), &Params::default()).html,
        crate::map_page(rel(), &Params::default()).html,
        crate::gap_page(b, Ok(Default::default()), &Params::default()).html,
    ];
    for html in pages {
        let mut ids: Vec<&str> = html
            .split(" id=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap())
            .collect();
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n, "a repeated id in {}", &html[..200]);
    }
}

#[test]
fn tile_abbreviations_are_four_letters_and_all_different() {
    let names = [
        "Randers",
        "Fredensborg",
        "Fredericia",
        "Frederiksberg",
        "Frederikshavn",
        "Frederikssund",
        "Læsø",
    ];
    let a = crate::indicators::abbreviations(&names);
    assert_eq!(a, ["Rand", "Fren", "Frec", "Freb", "Freh", "Fres", "Læsø"]);
    // All 98: 98 different tiles' texts.
    let all: Vec<&str> = samtalebank_model::vocab()
        .kommuner
        .list
        .iter()
        .map(|k| k.name.as_str())
        .collect();
    let a = crate::indicators::abbreviations(&all);
    let distinct: std::collections::HashSet<&String> = a.iter().collect();
    assert_eq!((all.len(), distinct.len()), (98, 98), "{a:?}");
}
