//! Reading a register CSV file on every core: one thread reads the file and cuts it into chunks
//! of whole records (`chunks`), workers parse and validate the chunks (the fast path, `fast`,
//! else the full validation, `validate`), and the calling thread takes their rows in file order.
//! Memory is bounded by a few chunks per worker, whatever the size of the file; line numbers are
//! those of the file (each chunk's line breaks are counted and added up in order).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};

use crate::chunks::Splitter;
use crate::csvrows::{FieldBytes, Item, Raw, Records, SliceFields, MAX_RECORD};
use crate::fast::Plan;
use crate::input::{Fields, Header, InputFile, ReadError, Table};
use crate::pseudonym::Pseudonymiser;
use crate::validate::{self, Row};
use crate::IngestError;

/// One record as a worker left it.
enum Parsed {
    /// A valid row; `start..end` are its bytes in the chunk (to show it, should it conflict).
    Row {
        line: u64,
        start: usize,
        end: usize,
        row: Row,
        fingerprint: u64,
    },
    /// An invalid row: its problems (column, reason) and the row as read, not yet masked.
    Rejected {
        line: u64,
        problems: Vec<(String, String)>,
        raw: String,
    },
}

/// A parsed chunk.
struct Chunk {
    seq: usize,
    /// Its text (UTF-8).
    text: Vec<u8>,
    /// Line breaks in it.
    breaks: u64,
    /// Bytes of the file it came from.
    bytes: u64,
    records: Vec<Parsed>,
}

/// A record as the calling thread gets it, with its line in the file.
pub(crate) enum Outcome<'a> {
    /// A valid row; `shown` gives its id and the row as read (for a conflict's reject).
    Row {
        line: u64,
        row: Row,
        fingerprint: u64,
        shown: &'a dyn Fn() -> (String, String),
        /// The stored id of a row a few rows ahead, to prefetch its check.
        ahead: Option<u64>,
    },
    /// An invalid row: its problems (column, reason) and the row as read, not yet masked.
    Rejected {
        line: u64,
        problems: Vec<(String, String)>,
        raw: String,
    },
}

pub(crate) type OutcomeFn<'a> = dyn FnMut(Outcome<'_>) -> Result<(), IngestError> + 'a;

/// The id and the row as read of the one record in `text`.
fn shown(text: &[u8], delim: u8, header: &Header, id_column: &str) -> (String, String) {
    let mut r = Records::new(text, delim);
    match r.next_item() {
        Some(Item::Record { record, .. }) => {
            let f = Fields {
                header,
                record,
                problem: None,
            };
            (f.get(id_column).unwrap_or("").to_string(), f.raw())
        }
        _ => (String::new(), String::new()),
    }
}

/// Read a register CSV file (samtaler or forloeb) in parallel. `check` sees the header first;
/// `record` is called with every record in file order.
pub(crate) fn read_csv(
    file: &InputFile,
    pseudo: &Pseudonymiser,
    check: &mut dyn FnMut(&Header) -> Result<(), ReadError>,
    record: &mut OutcomeFn<'_>,
    progress: &mut dyn FnMut(u64),
) -> Result<(), ReadError> {
    let table = file.table;
    let f = samtalebank_files::open_regular(&file.path)
        .map_err(|e| ReadError::Ingest(IngestError::Input(e.to_string())))?;
    let mut rdr = BufReader::with_capacity(MAX_RECORD + 8, f);
    let io = |e: std::io::Error| {
        ReadError::Ingest(IngestError::Input(format!("{}: {e}", file.path.display())))
    };
    // The first line decides the delimiter, as in the sequential reader (the buffer holds more
    // than the longest header line).
    let peek = rdr.fill_buf().map_err(io)?;
    let first = peek
        .split(|b| matches!(b, b'\n' | b'\r'))
        .next()
        .unwrap_or(&[]);
    let delim = crate::input::delimiter(&crate::input::decode(first))?;
    let mut splitter = Splitter::new(rdr, delim);
    let Some(chunk) = splitter.next_chunk().map_err(io)? else {
        return Err(ReadError::File("empty file: no header row".into()));
    };
    let chunk = utf8(chunk);
    let (header, skip, header_breaks) = {
        let mut r = Records::new(&chunk, delim);
        let header = match r.next_item() {
            Some(Item::Record { record, .. }) => {
                Header::new(record.iter().map(String::from).collect())
            }
            _ => return Err(ReadError::File("empty file: no header row".into())),
        };
        (header, r.position(), r.breaks())
    };
    check(&header)?;
    let plan = Plan::new(table, &header);
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let first_chunk = chunk[skip..].to_vec();
    let header_ref = &header;
    let plan_ref = plan.as_ref();
    std::thread::scope(|s| -> Result<(), ReadError> {
        let (work_tx, work_rx) = sync_channel::<(usize, Vec<u8>, u64)>(workers * 2);
        let (done_tx, done_rx) = sync_channel::<Chunk>(workers * 2);
        let work_rx = Arc::new(Mutex::new(work_rx));
        let reader = s.spawn(move || -> std::io::Result<()> {
            let n = first_chunk.len() as u64 + skip as u64;
            if work_tx.send((0, first_chunk, n)).is_err() {
                return Ok(());
            }
            let mut seq = 1;
            while let Some(c) = splitter.next_chunk()? {
                let n = c.len() as u64;
                if work_tx.send((seq, c, n)).is_err() {
                    break;
                }
                seq += 1;
            }
            Ok(())
        });
        for _ in 0..workers {
            let rx = Arc::clone(&work_rx);
            let tx = done_tx.clone();
            let mut pseudo = pseudo.clone();
            s.spawn(move || loop {
                let next = rx.lock().map(|r| r.recv());
                let Ok(Ok((seq, text, bytes))) = next else {
                    break;
                };
                let chunk = parse(
                    seq,
                    utf8(text),
                    bytes,
                    delim,
                    table,
                    header_ref,
                    plan_ref,
                    &mut pseudo,
                );
                if tx.send(chunk).is_err() {
                    break;
                }
            });
        }
        drop(done_tx);
        drop(work_rx);
        let at = Where {
            delim,
            header: header_ref,
            id_column: table.id_column(),
        };
        let taken = take_in_order(done_rx, header_breaks, &at, record, progress);
        // On an error the receivers are gone: the threads stop at their next send.
        let read = reader.join().map_err(|_| {
            ReadError::Ingest(IngestError::Input(format!(
                "{}: the reading thread failed",
                file.path.display()
            )))
        })?;
        taken?;
        read.map_err(io)
    })
}

/// What is needed to show a record again.
struct Where<'a> {
    delim: u8,
    header: &'a Header,
    id_column: &'a str,
}

/// How many rows ahead the calling thread's check is prefetched.
const AHEAD: usize = 8;

/// The calling thread's part: chunks in order, each record with its line in the file.
fn take_in_order(
    done: Receiver<Chunk>,
    header_breaks: u64,
    at: &Where<'_>,
    record: &mut OutcomeFn<'_>,
    progress: &mut dyn FnMut(u64),
) -> Result<(), ReadError> {
    let mut waiting: BTreeMap<usize, Chunk> = BTreeMap::new();
    let mut next = 0;
    let mut offset = header_breaks;
    for c in done {
        waiting.insert(c.seq, c);
        while let Some(mut c) = waiting.remove(&next) {
            // A window of the next rows: its last is the one whose check is prefetched.
            let mut rest = std::mem::take(&mut c.records).into_iter();
            let mut window: std::collections::VecDeque<Parsed> =
                rest.by_ref().take(AHEAD).collect();
            while let Some(p) = window.pop_front() {
                window.extend(rest.next());
                let ahead = match window.back() {
                    Some(Parsed::Row { row, .. }) => Some(row.stored_id()),
                    _ => None,
                };
                match p {
                    Parsed::Row {
                        line,
                        start,
                        end,
                        row,
                        fingerprint,
                    } => {
                        let text = &c.text[start..end];
                        record(Outcome::Row {
                            line: line + offset,
                            row,
                            fingerprint,
                            shown: &|| shown(text, at.delim, at.header, at.id_column),
                            ahead,
                        })?
                    }
                    Parsed::Rejected {
                        line,
                        problems,
                        raw,
                    } => record(Outcome::Rejected {
                        line: line + offset,
                        problems,
                        raw,
                    })?,
                }
            }
            offset += c.breaks;
            progress(c.bytes);
            next += 1;
        }
    }
    Ok(())
}

/// What a worker needs to read a chunk's records.
struct Reading<'a> {
    table: Table,
    header: &'a Header,
    plan: Option<&'a Plan>,
    records: Vec<Parsed>,
    shown: csv::StringRecord,
}

impl Reading<'_> {
    /// One record's fields, found at `line` and `start..end` of the chunk.
    fn record(
        &mut self,
        line: u64,
        start: usize,
        end: usize,
        f: &impl FieldBytes,
        pseudo: &mut Pseudonymiser,
    ) {
        if let Some(row) = self.plan.and_then(|p| p.row(f, pseudo)) {
            self.records.push(Parsed::Row {
                line,
                start,
                end,
                fingerprint: row.fingerprint(),
                row,
            });
            return;
        }
        self.shown.clear();
        for i in 0..f.len() {
            self.shown.push_field(&String::from_utf8_lossy(f.get(i)));
        }
        let fields = Fields {
            header: self.header,
            record: &self.shown,
            problem: None,
        };
        let parsed = match validate::row(self.table, &fields, pseudo) {
            Ok((_, row)) => Parsed::Row {
                line,
                start,
                end,
                fingerprint: row.fingerprint(),
                row,
            },
            Err(problems) => Parsed::Rejected {
                line,
                problems,
                raw: fields.raw(),
            },
        };
        self.records.push(parsed);
    }
}

/// Read a chunk's records. A line without quotes (the usual case) is split at its delimiters
/// directly; any other goes through `csv-core` (`Records`), which agrees on every line both read.
#[allow(clippy::too_many_arguments)]
fn parse(
    seq: usize,
    text: Vec<u8>,
    bytes: u64,
    delim: u8,
    table: Table,
    header: &Header,
    plan: Option<&Plan>,
    pseudo: &mut Pseudonymiser,
) -> Chunk {
    let mut rd = Reading {
        table,
        header,
        plan,
        records: Vec::with_capacity(text.len() / 64),
        shown: csv::StringRecord::new(),
    };
    let mut bounds: Vec<(usize, usize)> = Vec::with_capacity(16);
    let (mut pos, mut breaks) = (0usize, 0u64);
    let n = text.len();
    while pos < n {
        // Blank lines.
        match text[pos] {
            b'\n' => {
                breaks += 1;
                pos += 1;
                continue;
            }
            b'\r' => {
                breaks += 1;
                pos += if text.get(pos + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                continue;
            }
            _ => {}
        }
        let rest = &text[pos..];
        let eol = memchr::memchr2(b'\n', b'\r', rest).unwrap_or(rest.len());
        if eol < MAX_RECORD && memchr::memchr(b'"', &rest[..eol]).is_none() {
            let line = breaks + 1;
            let mut next = pos + eol;
            if next < n {
                next += if text[next] == b'\r' && text.get(next + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                breaks += 1;
            }
            bounds.clear();
            let mut from = pos;
            for i in memchr::memchr_iter(delim, &rest[..eol]) {
                bounds.push((from, pos + i));
                from = pos + i + 1;
            }
            bounds.push((from, pos + eol));
            let f = SliceFields {
                text: &text,
                bounds: &bounds,
            };
            rd.record(line, pos, next, &f, pseudo);
            pos = next;
            continue;
        }
        let mut r = Records::resume(&text, delim, pos, breaks);
        match r.next_raw() {
            None => {}
            Some(Raw::Record {
                line,
                start,
                end,
                nend,
            }) => rd.record(line, start, end, &r.raw_fields(nend), pseudo),
            Some(Raw::TooLong {
                line,
                bytes: length,
                head,
            }) => rd.records.push(Parsed::Rejected {
                line,
                problems: vec![(String::new(), crate::input::too_long(length))],
                raw: format!("{head}…"),
            }),
        }
        pos = r.position();
        breaks = r.breaks();
    }
    Chunk {
        seq,
        text,
        breaks,
        bytes,
        records: rd.records,
    }
}

/// A chunk as UTF-8: as it is if it is valid UTF-8, else read as Windows-1252.
fn utf8(b: Vec<u8>) -> Vec<u8> {
    if std::str::from_utf8(&b).is_ok() {
        b
    } else {
        encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(&b)
            .0
            .into_owned()
            .into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{discover, read_file, register_header};

    /// What became of a record: accepted (stored id, fingerprint) or rejected (problems, row).
    #[derive(Debug, PartialEq)]
    enum Became {
        Row(u64, u64),
        Rejected(Vec<(String, String)>, String),
    }

    /// A samtaler file with every kind of row: plain, valid in other notations, invalid, quoted
    /// across lines, CRLF and CR line ends, blank lines, Windows-1252 text, a short row.
    fn messy() -> Vec<u8> {
        let mut t =
            b"samtale_id,cpr,dato,kommune,ydelse,maalgruppe,samtaletype,samtaleform\n".to_vec();
        for i in 0..3000 {
            let row: Vec<u8> = match i % 12 {
                0 => format!("S{i},010190-1234,2024-02-29,101,dagpenge,,jobsamtale,fysisk\n").into(),
                1 => format!("S{i},0101901234,01.03.2023,København,Dagpenge,,Jobsamtale,telefonisk\r\n").into(),
                2 => format!("S{i},010190 1234,2024-02-30,101,dagpenge,,jobsamtale,fysisk\n").into(),
                3 => format!("\"S{i}\nx\",010190-1234,2023-01-01,999,dagpenge,,jobsamtale,fysisk\n").into(),
                4 => format!("S{i},320190-1234,2023-01-01,101,ukendt,,jobsamtale,fysisk\r").into(),
                5 => b"\n\r\n".to_vec(),
                6 => {
                    let mut v = format!("S{i},010190-1234,2023-01-01,101,dagpenge,,jobsamtale,").into_bytes();
                    v.extend_from_slice(b"fysisk fremm\xf8de\n");
                    v
                }
                7 => format!("S{i},010190-1234,2023-01-01,101\n").into(),
                8 => format!("S{i},010190-1234,2023-01-01,101,kontanthjaelp,jobparat,jobsamtale,video\n").into(),
                9 => format!(" S{i} ,010190-1234,2023-01-01,0101,dagpenge,,jobsamtale,fysisk\n").into(),
                10 => format!("S{},010190-1234,2023-01-01,101,dagpenge,,jobsamtale,video\n", i - 10).into(),
                _ => format!("\"S{i}\",\"010190-1234\",2023-06-01,\"101\",\"dagpenge\",\"\",jobsamtale,\"fysisk\"\n").into(),
            };
            t.extend_from_slice(&row);
        }
        t
    }

    #[test]
    fn the_parallel_reader_reads_every_record_as_the_sequential_one_does() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("samtaler.csv");
        std::fs::write(&path, messy()).unwrap();
        let file = discover(std::slice::from_ref(&path)).unwrap().remove(0);
        let pseudo = Pseudonymiser::new(b"a key of sixteen bytes or more");

        let mut sequential = Vec::new();
        let bytes = std::fs::read(&path).unwrap();
        let mut p = pseudo.clone();
        read_file(
            &file,
            &bytes,
            &mut |line, fields| {
                sequential.push((
                    line,
                    match validate::row(file.table, fields, &mut p) {
                        Ok((_, row)) => Became::Row(row.stored_id(), row.fingerprint()),
                        Err(problems) => Became::Rejected(problems, fields.raw()),
                    },
                ));
                Ok(())
            },
            &mut |_| {},
        )
        .unwrap_or_else(|_| panic!("the sequential reader failed"));

        let mut parallel = Vec::new();
        read_csv(
            &file,
            &pseudo,
            &mut register_header(file.table),
            &mut |o| {
                parallel.push(match o {
                    Outcome::Row {
                        line,
                        row,
                        fingerprint,
                        ..
                    } => (line, Became::Row(row.stored_id(), fingerprint)),
                    Outcome::Rejected {
                        line,
                        problems,
                        raw,
                    } => (line, Became::Rejected(problems, raw)),
                });
                Ok(())
            },
            &mut |_| {},
        )
        .unwrap_or_else(|_| panic!("the parallel reader failed"));

        assert!(bytes.len() > 10 * crate::chunks::CHUNK, "spans many chunks");
        let accepted = parallel
            .iter()
            .filter(|(_, b)| matches!(b, Became::Row(..)))
            .count();
        let rejected = parallel.len() - accepted;
        assert!(accepted > 1000 && rejected > 1000, "{accepted} {rejected}");
        assert_eq!(parallel.len(), sequential.len());
        for (a, b) in parallel.iter().zip(&sequential) {
            assert_eq!(a, b);
        }
    }
}
