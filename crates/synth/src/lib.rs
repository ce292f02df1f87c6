//! Synthetic register extracts (docs/spec.md §7): realistic, seeded, reproducible microdata.
//!
//! Spells (`forloeb`) are drawn per municipality and benefit leaf with inflow = stock / mean
//! duration, exponential durations and a 4-year warm-up so that long spells are in stock when
//! the window starts. Conversations follow each spell: a first conversation (early, unless the
//! municipality lags), then one every interval. The form is drawn from a digital share that
//! follows the published national series (22 % in 2019, 69 % in 2021, 44 % in 2023), higher for
//! sygedagpenge and (for)revalidering. Each municipality has its own random stream, so output is
//! byte-identical for the same seed and flags whatever the number of threads.

pub mod survey;
use std::io::Write;
use std::path::Path;

use chrono::Datelike;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;
use samtalebank_model::{time, vocab};

#[derive(Debug, Clone)]
pub struct Options {
    /// 1.0 = the whole country (~2.3 million conversations a year).
    pub scale: f64,
    pub seed: u64,
    pub first_year: i32,
    pub last_year: i32,
}

#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub spells: u64,
    pub conversations: u64,
    pub lagging: Vec<u16>,
}

/// Per benefit leaf: national stock of persons, mean spell duration (days), days between
/// conversations, digital factor, and the samtaletype mix (job, follow-up, joint).
struct Profile {
    leaf: &'static str,
    stock: f64,
    mean_days: f64,
    interval: f64,
    digital: f64,
    types: [f64; 3],
    /// Base probability of a first conversation within 6 weeks.
    timely: f64,
}

const PROFILES: &[Profile] = &[
    Profile {
        leaf: "dagpenge",
        stock: 70_000.0,
        mean_days: 120.0,
        interval: 35.0,
        digital: 1.0,
        types: [0.8, 0.0, 0.2],
        timely: 0.88,
    },
    Profile {
        leaf: "kontanthjaelp_jobparat",
        stock: 20_000.0,
        mean_days: 200.0,
        interval: 45.0,
        digital: 0.9,
        types: [0.9, 0.1, 0.0],
        timely: 0.85,
    },
    Profile {
        leaf: "kontanthjaelp_aktivitetsparat",
        stock: 90_000.0,
        mean_days: 900.0,
        interval: 90.0,
        digital: 0.8,
        types: [0.6, 0.4, 0.0],
        timely: 0.8,
    },
    Profile {
        leaf: "uddannelseshjaelp_uddannelsesparat",
        stock: 15_000.0,
        mean_days: 200.0,
        interval: 45.0,
        digital: 0.9,
        types: [0.9, 0.1, 0.0],
        timely: 0.85,
    },
    Profile {
        leaf: "uddannelseshjaelp_aktivitetsparat",
        stock: 25_000.0,
        mean_days: 500.0,
        interval: 90.0,
        digital: 0.8,
        types: [0.6, 0.4, 0.0],
        timely: 0.8,
    },
    Profile {
        leaf: "sygedagpenge",
        stock: 60_000.0,
        mean_days: 90.0,
        interval: 50.0,
        digital: 1.45,
        types: [0.1, 0.9, 0.0],
        timely: 0.82,
    },
    Profile {
        leaf: "jobafklaring",
        stock: 15_000.0,
        mean_days: 400.0,
        interval: 90.0,
        digital: 1.1,
        types: [0.1, 0.9, 0.0],
        timely: 0.8,
    },
    Profile {
        leaf: "ressourceforloeb",
        stock: 30_000.0,
        mean_days: 800.0,
        interval: 90.0,
        digital: 1.0,
        types: [0.1, 0.9, 0.0],
        timely: 0.8,
    },
    Profile {
        leaf: "ledighedsydelse",
        stock: 15_000.0,
        mean_days: 300.0,
        interval: 90.0,
        digital: 1.0,
        types: [0.3, 0.7, 0.0],
        timely: 0.8,
    },
    Profile {
        leaf: "revalidering",
        stock: 3_000.0,
        mean_days: 500.0,
        interval: 90.0,
        digital: 1.5,
        types: [0.1, 0.9, 0.0],
        timely: 0.8,
    },
    Profile {
        leaf: "forrevalidering",
        stock: 2_000.0,
        mean_days: 200.0,
        interval: 90.0,
        digital: 1.5,
        types: [0.1, 0.9, 0.0],
        timely: 0.8,
    },
    Profile {
        leaf: "selvforsoergelse",
        stock: 8_000.0,
        mean_days: 400.0,
        interval: 60.0,
        digital: 0.8,
        types: [0.7, 0.3, 0.0],
        timely: 0.82,
    },
];

/// National digital share (phone + video) by month, following the published yearly figures
/// (22 % in 2019, 69 % in 2021, 44 % in 2023): the lockdown from March 2020, reopening in the
/// second half of 2021, and a new level after the law changes.
pub fn national_digital_share(year: i32, month: u32) -> f64 {
    match (year, month) {
        (..=2018, _) => 0.20,
        (2019, _) => 0.22,
        (2020, 1..=2) => 0.23,
        (2020, _) => 0.61,
        (2021, 1..=6) => 0.75,
        (2021, _) => 0.63,
        (2022, _) => 0.50,
        (2023, _) => 0.44,
        _ => 0.45,
    }
}

/// Share of digital conversations held by video.
fn video_share(year: i32) -> f64 {
    match year {
        ..=2019 => 0.03,
        2020 => 0.12,
        2021 => 0.18,
        _ => 0.15,
    }
}

const ANDEN: f64 = 0.03;
/// Calibrates the national volume to ~2.3 million conversations a year at scale 1.0.
const VOLUME: f64 = 1.1;
const LAGGING: usize = 15;

/// Approximate populations of the larger municipalities; the rest get a seeded size.
const POPULATION: &[(u16, f64)] = &[
    (101, 660_000.0),
    (751, 370_000.0),
    (851, 222_000.0),
    (461, 210_000.0),
    (630, 120_000.0),
    (561, 116_000.0),
    (147, 105_000.0),
    (730, 99_000.0),
    (791, 98_000.0),
    (740, 100_000.0),
    (621, 95_000.0),
    (615, 98_000.0),
    (657, 90_000.0),
    (265, 90_000.0),
    (370, 84_000.0),
    (330, 80_000.0),
    (157, 75_000.0),
    (540, 74_000.0),
    (316, 73_000.0),
    (159, 70_000.0),
    (860, 64_000.0),
    (217, 63_000.0),
    (376, 60_000.0),
    (259, 62_000.0),
    (813, 59_000.0),
    (479, 59_000.0),
    (661, 59_000.0),
    (825, 1_800.0),
    (563, 3_500.0),
    (741, 3_700.0),
    (492, 6_000.0),
    (411, 10_000.0),
];

struct Kommune {
    code: u16,
    weight: f64,
    lagging: bool,
    digital: f64,
}

fn kommuner(seed: u64) -> Vec<Kommune> {
    let v = vocab();
    let mut rng = Pcg64Mcg::seed_from_u64(seed ^ 0x6b6f_6d6d_756e_6572);
    let mut out: Vec<Kommune> = v
        .kommuner
        .list
        .iter()
        .map(|k| {
            let pop = POPULATION
                .iter()
                .find(|(c, _)| *c == k.code)
                .map(|p| p.1)
                .unwrap_or_else(|| 15_000.0 + 45_000.0 * rng.gen::<f64>().powf(1.5));
            Kommune {
                code: k.code,
                weight: pop,
                lagging: false,
                digital: 0.8 + 0.4 * rng.gen::<f64>(),
            }
        })
        .collect();
    let total: f64 = out.iter().map(|k| k.weight).sum();
    for k in &mut out {
        k.weight /= total;
    }
    // The lagging municipalities: 15 of those with more than 20,000 inhabitants.
    let mut chosen = 0;
    while chosen < LAGGING {
        let i = rng.gen_range(0..out.len());
        if !out[i].lagging && out[i].weight * total > 20_000.0 {
            out[i].lagging = true;
            chosen += 1;
        }
    }
    out
}

/// Write `samtaler.csv`, `forloeb.csv`, `README.txt` and the citizen survey
/// (`undersoegelse.toml`, `undersoegelse.csv`, see [`survey`]) into `out`.
pub fn generate(opts: &Options, out: &Path) -> std::io::Result<Summary> {
    if !(opts.scale > 0.0 && opts.scale <= 10.0) {
        return Err(std::io::Error::other("--scale must be > 0 and at most 10"));
    }
    if opts.first_year > opts.last_year || opts.first_year < 1990 || opts.last_year > 2100 {
        return Err(std::io::Error::other(
            "--years must be FIRST-LAST with 1990 ≤ FIRST ≤ LAST ≤ 2100",
        ));
    }
    std::fs::create_dir_all(out)?;
    let ks = kommuner(opts.seed);
    let window = Window::new(opts.first_year, opts.last_year);
    // Normalise the benefit factors so that the national share follows the series.
    let vol: Vec<f64> = PROFILES
        .iter()
        .map(|p| p.stock * 365.0 / p.interval)
        .collect();
    let norm: f64 = PROFILES
        .iter()
        .zip(&vol)
        .map(|(p, v)| p.digital * v)
        .sum::<f64>()
        / vol.iter().sum::<f64>();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .max(1);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<Option<Chunk>> = (0..ks.len()).map(|_| None).collect();
    let slots = std::sync::Mutex::new(&mut results);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= ks.len() {
                    break;
                }
                let r = kommune_data(opts, &ks[i], &window, norm);
                if let Ok(mut sl) = slots.lock() {
                    sl[i] = Some(r);
                }
            });
        }
    });
    let mut sam = std::io::BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(out.join("samtaler.csv"))?,
    );
    let mut forl =
        std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(out.join("forloeb.csv"))?);
    sam.write_all(b"samtale_id,cpr,dato,kommune,ydelse,maalgruppe,samtaletype,samtaleform\n")?;
    forl.write_all(b"forloeb_id,cpr,kommune,ydelse,maalgruppe,start,slut\n")?;
    let mut summary = Summary {
        lagging: ks.iter().filter(|k| k.lagging).map(|k| k.code).collect(),
        ..Summary::default()
    };
    for c in results.into_iter().flatten() {
        sam.write_all(&c.samtaler)?;
        forl.write_all(&c.forloeb)?;
        summary.conversations += c.conversations;
        summary.spells += c.spells;
    }
    sam.flush()?;
    forl.flush()?;
    std::fs::write(out.join("README.txt"), readme(opts, &summary))?;
    survey::generate(out, opts.seed)?;
    Ok(summary)
}

/// One municipality's rows, generated on its own random stream.
struct Chunk {
    samtaler: Vec<u8>,
    forloeb: Vec<u8>,
    conversations: u64,
    spells: u64,
}

struct Window {
    first: i32,
    last: i32,
    warm: i32,
    dates: Vec<[u8; 10]>,
}

impl Window {
    fn new(first_year: i32, last_year: i32) -> Window {
        let day =
            |y, m, d| time::to_days(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default());
        let first = day(first_year, 1, 1);
        let last = day(last_year, 12, 31);
        let warm = day(first_year - 4, 1, 1);
        let dates = (warm..=last)
            .map(|d| {
                let mut b = [0u8; 10];
                b.copy_from_slice(time::from_days(d).format("%Y-%m-%d").to_string().as_bytes());
                b
            })
            .collect();
        Window {
            first,
            last,
            warm,
            dates,
        }
    }
    fn date(&self, d: i32) -> &[u8] {
        &self.dates[(d - self.warm) as usize]
    }
}

fn year_of(d: i32) -> i32 {
    time::month_of(d).div_euclid(12)
}

/// How far behind a lagging municipality is in a year: 24 points at first, then catching up.
fn lag(first_year: i32, last_year: i32, year: i32) -> f64 {
    let span = (last_year - first_year).max(1) as f64;
    let x = ((year - first_year) as f64 / span).clamp(0.0, 1.0);
    0.26 - 0.20 * x
}

fn kommune_data(opts: &Options, k: &Kommune, w: &Window, norm: f64) -> Chunk {
    let v = vocab();
    let mut rng =
        Pcg64Mcg::seed_from_u64(opts.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ u64::from(k.code));
    let mut sam = Vec::with_capacity(1 << 16);
    let mut forl = Vec::with_capacity(1 << 14);
    let (mut ns, mut nf) = (0u64, 0u64);
    let mut sid = 0u64;
    let mut fid = 0u64;
    let code = k.code;
    for p in PROFILES {
        let leaf = v
            .ydelser
            .leaves
            .iter()
            .find(|l| l.code == p.leaf)
            .expect("profile leaf exists"); // ok: static data
        let group = v.ydelser.groups.code(leaf.group);
        let maal = leaf.maalgruppe.map(|m| v.maalgrupper.code(m)).unwrap_or("");
        let per_day = VOLUME * p.stock / p.mean_days * opts.scale * k.weight;
        let days = (w.last - w.warm + 1) as f64;
        let expected = per_day * days;
        let n = expected.floor() as u64 + u64::from(rng.gen::<f64>() < expected.fract());
        for _ in 0..n {
            let start = w.warm + rng.gen_range(0..(w.last - w.warm + 1));
            let dur = (-(1.0 - rng.gen::<f64>()).ln() * p.mean_days) as i32;
            let end = start + dur;
            if end < w.first {
                continue;
            }
            let cpr = cpr_for(&mut rng, start);
            fid += 1;
            nf += 1;
            write_spell(&mut forl, code, fid, &cpr, group, maal, w, start, end);
            ns += conversations(
                &mut sam, &mut rng, &mut sid, code, k, p, &cpr, group, maal, w, start, end, opts,
                norm,
            );
            // Some unemployed fall sick during the spell: an overlapping sygedagpenge spell.
            if p.leaf == "dagpenge" && rng.gen::<f64>() < 0.05 && dur > 10 {
                let s2 = start + rng.gen_range(0..dur);
                let e2 = s2 + (-(1.0 - rng.gen::<f64>()).ln() * 40.0) as i32;
                if e2 >= w.first && s2 <= w.last {
                    let sp = &PROFILES[5];
                    fid += 1;
                    nf += 1;
                    write_spell(&mut forl, code, fid, &cpr, "sygedagpenge", "", w, s2, e2);
                    ns += conversations(
                        &mut sam,
                        &mut rng,
                        &mut sid,
                        code,
                        k,
                        sp,
                        &cpr,
                        "sygedagpenge",
                        "",
                        w,
                        s2,
                        e2,
                        opts,
                        norm,
                    );
                }
            }
        }
    }
    Chunk {
        samtaler: sam,
        forloeb: forl,
        conversations: ns,
        spells: nf,
    }
}

fn cpr_for(rng: &mut Pcg64Mcg, start: i32) -> [u8; 11] {
    let age_days = rng.gen_range(18 * 365..66 * 365);
    let birth = time::from_days(start - age_days);
    let s = format!("{}-{:04}", birth.format("%d%m%y"), rng.gen_range(0..10_000));
    let mut b = [0u8; 11];
    b.copy_from_slice(s.as_bytes());
    b
}

#[allow(clippy::too_many_arguments)]
fn write_spell(
    out: &mut Vec<u8>,
    code: u16,
    id: u64,
    cpr: &[u8; 11],
    group: &str,
    maal: &str,
    w: &Window,
    start: i32,
    end: i32,
) {
    let _ = write!(out, "F{code:03}-{id:07},");
    out.extend_from_slice(cpr);
    let _ = write!(out, ",{code:03},{group},{maal},");
    out.extend_from_slice(w.date(start));
    out.push(b',');
    if end <= w.last {
        out.extend_from_slice(w.date(end));
    }
    out.push(b'\n');
}

#[allow(clippy::too_many_arguments)]
fn conversations(
    out: &mut Vec<u8>,
    rng: &mut Pcg64Mcg,
    sid: &mut u64,
    code: u16,
    k: &Kommune,
    p: &Profile,
    cpr: &[u8; 11],
    group: &str,
    maal: &str,
    w: &Window,
    start: i32,
    end: i32,
    opts: &Options,
    norm: f64,
) -> u64 {
    let v = vocab();
    let start_year = year_of(start.max(w.first));
    let behind = if k.lagging {
        lag(opts.first_year, opts.last_year, start_year)
    } else {
        0.0
    };
    let timely = (p.timely - behind).clamp(0.05, 0.99);
    let mut t = if rng.gen::<f64>() < timely {
        rng.gen_range(2..42)
    } else {
        rng.gen_range(42..130)
    };
    let slow = 1.0 + 2.0 * behind;
    let mut n = 0;
    let forms = [
        v.samtaleformer.code(0),
        v.samtaleformer.code(1),
        v.samtaleformer.code(2),
        v.samtaleformer.code(3),
    ];
    let types = [
        v.samtaletyper.code(0),
        v.samtaletyper.code(1),
        v.samtaletyper.code(2),
    ];
    while start + t <= end.min(w.last) {
        let d = start + t;
        if d >= w.first {
            let year = year_of(d);
            let month = time::from_days(d).month();
            let digital = (national_digital_share(year, month) * p.digital / norm * k.digital)
                .clamp(0.02, 0.97);
            let u = rng.gen::<f64>();
            let form = if u < ANDEN {
                forms[3]
            } else if u < ANDEN + digital {
                if rng.gen::<f64>() < video_share(year) {
                    forms[2]
                } else {
                    forms[1]
                }
            } else {
                forms[0]
            };
            let u = rng.gen::<f64>();
            let ty = if u < p.types[0] {
                types[0]
            } else if u < p.types[0] + p.types[1] {
                types[1]
            } else {
                types[2]
            };
            *sid += 1;
            let _ = write!(out, "S{code:03}-{:08},", *sid);
            out.extend_from_slice(cpr);
            out.push(b',');
            out.extend_from_slice(w.date(d));
            let _ = writeln!(out, ",{code:03},{group},{maal},{ty},{form}");
            n += 1;
        }
        t += ((p.interval * slow) * (0.6 + 0.8 * rng.gen::<f64>())).max(7.0) as i32;
    }
    n
}

fn readme(opts: &Options, s: &Summary) -> String {
    let lag: Vec<String> = s.lagging.iter().map(|c| format!("{c:03}")).collect();
    format!(
        "Synthetic register extracts made by `samtalebank generate` (not real data).\n\
         \n\
         scale {scale} (1.0 = the whole country), seed {seed}, years {fy}-{ly}\n\
         samtaler.csv  {ns} conversations (docs/spec.md §1.1; cpr is a made-up DDMMYY-XXXX number)\n\
         forloeb.csv   {nf} benefit spells (docs/spec.md §1.2; slut empty = ongoing at {ly}-12-31)\n\
         \n\
         Calibration: national digital share (telefon + video) per year follows 22 % (2019),\n\
         69 % (2021), 44 % (2023); sygedagpenge and (for)revalidering highest. Spells start\n\
         from {warm} so that long spells are in stock when the window opens.\n\
         Lagging municipalities (late first conversations, fewer conversations, catching up\n\
         over the years): {lag}\n",
        scale = opts.scale,
        seed = opts.seed,
        fy = opts.first_year,
        ly = opts.last_year,
        ns = s.conversations,
        nf = s.spells,
        warm = opts.first_year - 4,
        lag = lag.join(", "),
    )
}
