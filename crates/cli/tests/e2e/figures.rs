//! The figures every page shows, on the shared fixture release, against the figures the same
//! pages showed before their templates were rewritten (`golden/pages.txt`, written by the
//! hand-built pages): a rewrite of how a page is written must not change a single number.
//!
//! The figures of a page are its numbers in document order (table cells, chart labels and
//! points, counts in the text; not what is in `<code>`, which shows URLs and ids), after the
//! release id and its time are taken out. `SAMTALEBANK_WRITE_GOLDEN=1` writes the file instead
//! of comparing, from the pages of the binary `SAMTALEBANK_GOLDEN_BIN` (the one before a
//! rewrite) serving the fixture's releases.

use super::common::*;

/// The pages and the queries whose figures are compared.
pub const PAGES: &[&str] = &[
    "/",
    "/?lang=en",
    "/tabel/SAMT01",
    "/tabel/SAMT01?omraade=000&omraade=730&omraade=101&periode=kvartal&aar=2023&aar=2024&ydelse=dagpenge",
    "/tabel/SAMT01?lang=en&omraade=851&periode=maaned&aar=2024&samtaletype=jobsamtale",
    "/tabel/SAMT02?omraade=000&omraade=730&periode=aar",
    "/tabel/SAMT03?omraade=000&periode=kvartal&aar=2024",
    "/tabel/BENCH01?omraade=730&omraade=101&indikator=pct6",
    "/tabel/SURV01",
    "/kommune/730",
    "/kommune/101?lang=en",
    "/benchmark?group=101,751,851,461&indicator=pct6&periode=aar",
    "/benchmark?group=lowest:15:pct6:2019&indicator=pct6&periode=kvartal&lang=en",
    "/besparelse?year=2023",
    "/besparelse?year=2022&scenario=all-digital&minutes=5-20&hourlyCost=500&lang=en",
    "/undersoegelse",
    "/undersoegelse?spoergsmaal=interesse&ydelse=tot&lang=en",
];

/// The numbers of an HTML page in document order, tags removed.
pub fn figures(html: &str, release_id: &str, created: &str) -> Vec<String> {
    let html = html.replace(release_id, "").replace(created, "");
    let mut text = String::new();
    let mut in_tag = false;
    let mut in_style = false;
    let lower = html.to_ascii_lowercase();
    let lower = lower.as_bytes();
    let mut i = 0;
    let b = html.as_bytes();
    while i < b.len() {
        let at = |t: &[u8]| lower[i..].starts_with(t);
        if at(b"<style") || at(b"<script") || at(b"<code") {
            in_style = true;
        }
        if in_style && (at(b"</style>") || at(b"</script>") || at(b"</code>")) {
            in_style = false;
        }
        match b[i] {
            b'<' => {
                in_tag = true;
                text.push(' ');
            }
            b'>' => in_tag = false,
            _ if !in_tag && !in_style => text.push(b[i] as char),
            _ => {}
        }
        i += 1;
    }
    // Runs of digits with the separators numbers are written with.
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (k, &c) in chars.iter().enumerate() {
        let sep = matches!(c, '.' | ',')
            && !cur.is_empty()
            && chars.get(k + 1).is_some_and(|n| n.is_ascii_digit());
        if c.is_ascii_digit()
            || sep
            || (c == '-' && cur.is_empty() && chars.get(k + 1).is_some_and(|n| n.is_ascii_digit()))
        {
            cur.push(c);
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[test]
fn every_page_shows_the_same_figures_as_before_its_templates_were_rewritten() {
    let f = fixture();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(f.release.join("manifest.json")).unwrap()).unwrap();
    let id = manifest["id"].as_str().unwrap();
    let created = manifest["created"].as_str().unwrap();
    let write = std::env::var_os("SAMTALEBANK_WRITE_GOLDEN").is_some();
    // Writing: the pages of the binary before the rewrite, on the same release.
    let old = std::env::var("SAMTALEBANK_GOLDEN_BIN")
        .ok()
        .filter(|_| write);
    let (_old_server, base) = match &old {
        Some(bin) => {
            let mut c = std::process::Command::new(bin)
                .args([
                    "serve",
                    "--releases",
                    f.releases.to_str().unwrap(),
                    "--addr",
                    "127.0.0.1:18977",
                    "--max-calls",
                    "100000000",
                ])
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(std::time::Duration::from_secs(3));
            let _ = c.try_wait();
            (Some(KillOnDrop(c)), "http://127.0.0.1:18977".to_string())
        }
        None => (None, f.base.clone()),
    };
    let mut all = String::new();
    for page in PAGES {
        let r = get(&format!("{base}{page}"));
        assert_eq!(r.status, 200, "{page}");
        all.push_str(&format!(
            "== {page}\n{}\n",
            figures(&r.body, id, created).join(" ")
        ));
    }
    let golden = workspace().join("crates/cli/tests/e2e/golden/pages.txt");
    if write {
        std::fs::write(&golden, &all).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&golden).unwrap();
    for (w, g) in want.split("== ").zip(all.split("== ")) {
        assert_eq!(w, g, "the figures of a page changed");
    }
    assert_eq!(want, all);
}

struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
