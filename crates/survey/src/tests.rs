//! A small questionnaire and respondent file, tabulated and checked by hand: filters, a
//! multi-select base, weights, Kish and Wilson, and rejects that keep every good row.

use std::path::Path;

use crate::questionnaire::Questionnaire;
use crate::respondents::read;
use crate::stats::{kish, wilson};
use crate::tabulate::{tabulate, Cell};

/// The questionnaire module's own fixture: yderligere_kontakt → interesse → fordele (multi).
use crate::questionnaire::tests::GOOD as DEFINITION;

const RESPONDENTS: &str = "respondent_id,kommune,ydelse,vaegt,yderligere_kontakt,interesse,fordele
1,101,dagpenge,1,ja,meget_interesseret,transport|planlaegning
2,101,dagpenge,2,ja,imod,
3,147,sygedagpenge,1,nej,,
4,147,sygedagpenge,1,ja,noget_interesseret,transport
5,101,dagpenge,1,nej,imod,
6,101,dagpenge,0,ja,,
7,101,dagpenge,1,ja,lidt,
8,101,dagpenge,1,ja,imod,transport
9,999,dagpenge,1,ja,,
10,101,dagpenge,1,ja,imod,transport|transport
";

fn cell<'a>(cells: &'a [Cell], q: &str, svar: &str, y: &str, a: &str) -> &'a Cell {
    cells
        .iter()
        .find(|c| c.question == q && c.svar == svar && c.ydelse == y && c.omraade == a)
        .unwrap_or_else(|| panic!("no cell {q} {svar} {y} {a}"))
}

#[test]
fn a_small_survey_by_hand() {
    let q = Questionnaire::parse(DEFINITION, Path::new("u.toml")).unwrap();
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("undersoegelse.csv");
    std::fs::write(&path, RESPONDENTS).unwrap();
    let (good, rejects) = read(
        &path,
        &q,
        &|k: &str| k == "101" || k == "147",
        &|y: &str| y == "dagpenge" || y == "sygedagpenge",
    )
    .unwrap();
    // Rows 1–4 are good; every other row is a reject naming its line and column.
    assert_eq!(
        good.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        ["1", "2", "3", "4"]
    );
    let why: Vec<(u64, &str)> = rejects
        .iter()
        .map(|r| (r.line, r.column.as_str()))
        .collect();
    assert_eq!(
        why,
        [
            (6, "interesse"),
            (7, "vaegt"),
            (8, "interesse"),
            (9, "fordele"),
            (10, "kommune"),
            (11, "fordele")
        ]
    );
    assert!(
        rejects[0].reason.contains("yderligere_kontakt = ja"),
        "{}",
        rejects[0]
    );
    assert!(rejects[2].reason.contains("'lidt' is not an answer"));
    let cells = tabulate(&q, &good, &|y: &str| y.to_string(), "tot", "000");
    // yderligere_kontakt: everyone answered; weights 1, 2, 1, 1; ja = 4 of 5.
    let c = cell(&cells, "yderligere_kontakt", "ja", "tot", "000");
    assert_eq!(c.n, 4);
    assert!((c.pct.unwrap() - 80.0).abs() < 1e-9);
    let neff = 25.0 / 7.0;
    assert!((kish(&[1.0, 2.0, 1.0, 1.0]) - neff).abs() < 1e-12);
    let (lo, hi) = wilson(0.8, neff).unwrap();
    assert!(
        (c.ci_lo.unwrap() - 100.0 * lo).abs() < 1e-9
            && (c.ci_hi.unwrap() - 100.0 * hi).abs() < 1e-9
    );
    // interesse: asked of the three who said ja (weights 1, 2, 1): imod 2 of 4, interesseret 2 of 4.
    let c = cell(&cells, "interesse", "imod", "tot", "000");
    assert_eq!(c.n, 3);
    assert!((c.pct.unwrap() - 50.0).abs() < 1e-9);
    assert!(
        (cell(&cells, "interesse", "interesseret", "tot", "000")
            .pct
            .unwrap()
            - 50.0)
            .abs()
            < 1e-9
    );
    // fordele (multi): asked of the interested, 1 and 4; transport both, planlaegning one.
    let t = cell(&cells, "fordele", "transport", "tot", "000");
    assert_eq!(t.n, 2);
    assert!((t.pct.unwrap() - 100.0).abs() < 1e-9);
    assert!(
        (cell(&cells, "fordele", "planlaegning", "tot", "000")
            .pct
            .unwrap()
            - 50.0)
            .abs()
            < 1e-9
    );
    // By benefit and municipality: dagpenge in 101, interesse imod = 2 of 3.
    let c = cell(&cells, "interesse", "imod", "dagpenge", "101");
    assert_eq!(c.n, 2);
    assert!((c.pct.unwrap() - 200.0 / 3.0).abs() < 1e-9);
    // No one on sygedagpenge in 101: n 0, no share.
    let c = cell(&cells, "interesse", "imod", "sygedagpenge", "101");
    assert_eq!((c.n, c.pct), (0, None));
}

#[test]
fn a_file_whose_columns_do_not_fit_is_an_error() {
    let q = Questionnaire::parse(DEFINITION, Path::new("u.toml")).unwrap();
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("u.csv");
    std::fs::write(
        &path,
        "respondent_id,kommune,ydelse,farve\n1,101,dagpenge,blaa\n",
    )
    .unwrap();
    let e = read(&path, &q, &|_: &str| true, &|_: &str| true).unwrap_err();
    assert!(e.to_string().contains(":1: column 'farve'"), "{e}");
}
