//! Vocabularies kept as data (`data/*.csv`), parsed once at start-up.
//!
//! Each vocabulary maps the codes of docs/spec.md §3.1 to Danish and English labels and accepts, case-
//! insensitively, the code itself, either label and any alias listed in the data file.

use std::collections::HashMap;
use std::sync::OnceLock;

/// One entry of a flat vocabulary.
#[derive(Debug, Clone)]
pub struct Entry {
    pub code: String,
    pub label_da: String,
    pub label_en: String,
}

/// A flat vocabulary: codes in a fixed order, index = the small dictionary code used everywhere.
#[derive(Debug, Clone)]
pub struct Vocab {
    pub name: &'static str,
    pub entries: Vec<Entry>,
    lookup: HashMap<String, u8>,
}

impl Vocab {
    fn from_rows(name: &'static str, rows: Vec<(Entry, Vec<String>)>) -> Vocab {
        let mut lookup = HashMap::new();
        let mut entries = Vec::new();
        for (i, (e, aliases)) in rows.into_iter().enumerate() {
            for key in [&e.code, &e.label_da, &e.label_en]
                .into_iter()
                .chain(aliases.iter())
            {
                if !key.is_empty() {
                    lookup.entry(normalise(key)).or_insert(i as u8);
                }
            }
            entries.push(e);
        }
        Vocab {
            name,
            entries,
            lookup,
        }
    }

    /// Index of a code, label or alias (case-insensitive, surrounding space ignored).
    pub fn lookup(&self, s: &str) -> Option<u8> {
        self.lookup.get(&normalise(s)).copied()
    }

    pub fn code(&self, i: u8) -> &str {
        &self.entries[i as usize].code
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The accepted codes, for error messages.
    pub fn codes(&self) -> String {
        self.entries
            .iter()
            .map(|e| e.code.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn normalise(s: &str) -> String {
    s.trim().to_lowercase()
}

/// Rows of a `;`-separated data file, skipping `#` comments and blank lines.
fn rows(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split(';').map(str::trim).collect())
}

fn aliases(s: Option<&&str>) -> Vec<String> {
    s.map(|a| {
        a.split('|')
            .filter(|x| !x.is_empty())
            .map(String::from)
            .collect()
    })
    .unwrap_or_default()
}

/// A benefit group's leaf: the finest ydelse category the engine counts by.
#[derive(Debug, Clone)]
pub struct YdelseLeaf {
    pub code: String,
    /// Index of the group in [`Ydelser::groups`].
    pub group: u8,
    /// Index in the maalgruppe vocabulary, for target-group children; `None` for an unsplit
    /// group and for the child of a split group that takes rows without a target group
    /// (`uoplyst`).
    pub maalgruppe: Option<u8>,
}

/// Benefit groups (docs/spec.md §1.4) with their target-group split.
#[derive(Debug, Clone)]
pub struct Ydelser {
    /// The 10 groups (`dagpenge`, `kontanthjaelp`, ...), as a vocabulary for input codes.
    pub groups: Vocab,
    /// Every code that is published, in publication order (groups and children), with labels.
    pub published: Vec<Entry>,
    /// For each published code: `Some(group)` when it is a group, else the parent group index.
    pub published_parent: Vec<(u8, bool)>,
    /// Leaves: unsplit groups and the children of split groups.
    pub leaves: Vec<YdelseLeaf>,
    /// Groups that are split by target group (they need a maalgruppe).
    pub split: Vec<bool>,
}

impl Ydelser {
    /// The leaf for a group and an optional target group: for a split group, the child of the
    /// target group, or without one the child that takes rows with no target group (`uoplyst`).
    /// `Err` explains what is wrong.
    pub fn leaf(&self, group: u8, maalgruppe: Option<u8>) -> Result<u8, crate::Invalid> {
        if !self.split[group as usize] {
            return Ok(self
                .leaves
                .iter()
                .position(|l| l.group == group)
                .expect("every unsplit group has a leaf") as u8); // ok: built so in parse
        }
        self.leaves
            .iter()
            .position(|l| l.group == group && l.maalgruppe == maalgruppe)
            .map(|i| i as u8)
            .ok_or_else(|| {
                crate::Invalid(match maalgruppe {
                    Some(m) => format!(
                        "maalgruppe '{}' does not apply to {} (expected {})",
                        vocab().maalgrupper.code(m),
                        self.groups.code(group),
                        self.children_maalgrupper(group)
                    ),
                    None => format!(
                        "maalgruppe is required for {} ({})",
                        self.groups.code(group),
                        self.children_maalgrupper(group)
                    ),
                })
            })
    }

    fn children_maalgrupper(&self, group: u8) -> String {
        self.leaves
            .iter()
            .filter(|l| l.group == group)
            .filter_map(|l| {
                l.maalgruppe
                    .map(|m| vocab().maalgrupper.code(m).to_string())
            })
            .collect::<Vec<_>>()
            .join(" or ")
    }
}

/// A municipality of `data/kommuner.csv`.
#[derive(Debug, Clone)]
pub struct Kommune {
    pub code: u16,
    pub name: String,
    /// Index in [`Kommuner::regions`].
    pub region: u8,
}

#[derive(Debug, Clone)]
pub struct Region {
    pub code: u16,
    pub name: String,
}

/// The 98 municipalities and 5 regions (docs/spec.md §1.5).
#[derive(Debug, Clone)]
pub struct Kommuner {
    pub list: Vec<Kommune>,
    pub regions: Vec<Region>,
    by_code: HashMap<u16, u8>,
    by_name: HashMap<String, u8>,
}

impl Kommuner {
    /// Index of a municipality given by its 3-digit code (leading zeros allowed) or its name.
    pub fn lookup(&self, s: &str) -> Option<u8> {
        let t = s.trim();
        if let Ok(n) = t.parse::<u16>() {
            return self.by_code.get(&n).copied();
        }
        self.by_name.get(&normalise(t)).copied()
    }

    pub fn code_str(&self, i: u8) -> String {
        self.list[i as usize].code.to_string()
    }
}

/// All vocabularies.
#[derive(Debug)]
pub struct Vocabularies {
    pub kommuner: Kommuner,
    pub ydelser: Ydelser,
    pub maalgrupper: Vocab,
    pub samtaletyper: Vocab,
    pub samtaleformer: Vocab,
    /// Per samtaleform: counted as digital (phone or video).
    pub digital: Vec<bool>,
}

static VOCAB: OnceLock<Vocabularies> = OnceLock::new();

/// The vocabularies, parsed from the data files built into the binary.
pub fn vocab() -> &'static Vocabularies {
    VOCAB.get_or_init(|| {
        let flat = |name, text: &str| {
            Vocab::from_rows(
                name,
                rows(text)
                    .map(|r| {
                        (
                            Entry {
                                code: r[0].to_string(),
                                label_da: r.get(1).unwrap_or(&"").to_string(),
                                label_en: r.get(2).unwrap_or(&"").to_string(),
                            },
                            aliases(r.get(3)),
                        )
                    })
                    .collect(),
            )
        };
        let maalgrupper = flat("maalgruppe", include_str!("../data/maalgrupper.csv"));
        let samtaletyper = flat("samtaletype", include_str!("../data/samtaletyper.csv"));
        let mut digital = Vec::new();
        let samtaleformer = Vocab::from_rows(
            "samtaleform",
            rows(include_str!("../data/samtaleformer.csv"))
                .map(|r| {
                    digital.push(r[1] == "1");
                    (
                        Entry {
                            code: r[0].to_string(),
                            label_da: r[2].to_string(),
                            label_en: r[3].to_string(),
                        },
                        aliases(r.get(4)),
                    )
                })
                .collect(),
        );
        let ydelser = parse_ydelser(include_str!("../data/ydelser.csv"), &maalgrupper);
        let kommuner = parse_kommuner(include_str!("../data/kommuner.csv"));
        Vocabularies {
            kommuner,
            ydelser,
            maalgrupper,
            samtaletyper,
            samtaleformer,
            digital,
        }
    })
}

fn parse_ydelser(text: &str, maalgrupper: &Vocab) -> Ydelser {
    let all: Vec<Vec<&str>> = rows(text).collect();
    let group_rows: Vec<&Vec<&str>> = all.iter().filter(|r| r[0] == r[1]).collect();
    let groups = Vocab::from_rows(
        "ydelse",
        group_rows
            .iter()
            .map(|r| {
                (
                    Entry {
                        code: r[0].to_string(),
                        label_da: r[3].to_string(),
                        label_en: r[4].to_string(),
                    },
                    aliases(r.get(5)),
                )
            })
            .collect(),
    );
    let mut split = vec![false; groups.len()];
    let mut leaves = Vec::new();
    let mut published = Vec::new();
    let mut published_parent = Vec::new();
    for r in &all {
        let g = groups.lookup(r[1]).expect("child names a known group"); // ok: static data
        published.push(Entry {
            code: r[0].to_string(),
            label_da: r[3].to_string(),
            label_en: r[4].to_string(),
        });
        published_parent.push((g, r[0] == r[1]));
        if r[0] != r[1] {
            split[g as usize] = true;
            let maalgruppe =
                (!r[2].is_empty()).then(|| maalgrupper.lookup(r[2]).expect("known maalgruppe")); // ok: static data
            leaves.push(YdelseLeaf {
                code: r[0].to_string(),
                group: g,
                maalgruppe,
            });
        }
    }
    for g in 0..groups.len() as u8 {
        if !split[g as usize] {
            leaves.push(YdelseLeaf {
                code: groups.code(g).to_string(),
                group: g,
                maalgruppe: None,
            });
        }
    }
    // Leaves in publication order: sort by the position of their code among published codes.
    leaves.sort_by_key(|l| published.iter().position(|p| p.code == l.code));
    Ydelser {
        groups,
        published,
        published_parent,
        leaves,
        split,
    }
}

fn parse_kommuner(text: &str) -> Kommuner {
    let mut list = Vec::new();
    let mut regions: Vec<Region> = Vec::new();
    for r in rows(text).skip(1) {
        let rcode: u16 = r[2].parse().expect("region code"); // ok: static data
        let region = match regions.iter().position(|x| x.code == rcode) {
            Some(i) => i,
            None => {
                regions.push(Region {
                    code: rcode,
                    name: r[3].to_string(),
                });
                regions.len() - 1
            }
        } as u8;
        list.push(Kommune {
            code: r[0].parse().expect("kommune code"), // ok: static data
            name: r[1].to_string(),
            region,
        });
    }
    // Regions in code order (1081..1085), municipalities in code order.
    let mut order: Vec<usize> = (0..regions.len()).collect();
    order.sort_by_key(|&i| regions[i].code);
    let remap: Vec<u8> = (0..regions.len())
        .map(|i| order.iter().position(|&o| o == i).unwrap_or(0) as u8)
        .collect();
    let regions: Vec<Region> = order.iter().map(|&i| regions[i].clone()).collect();
    for k in &mut list {
        k.region = remap[k.region as usize];
    }
    list.sort_by_key(|k| k.code);
    let by_code = list
        .iter()
        .enumerate()
        .map(|(i, k)| (k.code, i as u8))
        .collect();
    let by_name = list
        .iter()
        .enumerate()
        .map(|(i, k)| (normalise(&k.name), i as u8))
        .collect();
    Kommuner {
        list,
        regions,
        by_code,
        by_name,
    }
}
