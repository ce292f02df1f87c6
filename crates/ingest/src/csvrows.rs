//! Splitting CSV text into records with their line numbers, in one linear pass and bounded
//! memory (`csv-core`'s state machine over the bytes).
//!
//! - Line numbers count every line break: `\n`, `\r\n` and a lone `\r` (files saved on old Macs)
//!   alike, so a reject names the line an editor shows. A record's line is the line it starts
//!   on; a quoted field may span lines.
//! - A record longer than [`MAX_RECORD`] bytes is not read: it is reported once as too long, with
//!   its first bytes, and skipped in linear time without being kept in memory.
//! - Blank lines are skipped (and counted).

/// The longest record read, in bytes (1 MiB). A register row is about 100 bytes.
pub const MAX_RECORD: usize = 1 << 20;
/// How much of a too-long record is kept to show in the rejects.
const HEAD: usize = 120;

/// One record, or what is known of one that is too long.
pub(crate) enum Item<'r> {
    Record {
        line: u64,
        record: &'r csv::StringRecord,
    },
    TooLong {
        line: u64,
        /// The record's length in bytes.
        bytes: usize,
        /// Its first bytes as written, as text.
        head: String,
    },
}

/// One record as positions, or what is known of one that is too long.
pub(crate) enum Raw {
    Record {
        line: u64,
        /// Its bytes in the text, terminator included.
        start: usize,
        end: usize,
        /// Its number of fields.
        nend: usize,
    },
    TooLong {
        line: u64,
        bytes: usize,
        head: String,
    },
}

/// The fields of one record, as bytes (quotes removed).
pub(crate) struct RawFields<'r> {
    out: &'r [u8],
    ends: &'r [usize],
}

/// The fields of one record as bytes.
pub(crate) trait FieldBytes {
    fn len(&self) -> usize;
    /// Field `i` (it exists: `i < len()`).
    fn get(&self, i: usize) -> &[u8];
}

impl FieldBytes for RawFields<'_> {
    fn len(&self) -> usize {
        self.ends.len()
    }
    fn get(&self, i: usize) -> &[u8] {
        let from = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.out[from..self.ends[i]]
    }
}

/// The fields of a record without quotes: slices of the text.
pub(crate) struct SliceFields<'r> {
    pub text: &'r [u8],
    /// Each field's `start..end` in `text`.
    pub bounds: &'r [(usize, usize)],
}

impl FieldBytes for SliceFields<'_> {
    fn len(&self) -> usize {
        self.bounds.len()
    }
    fn get(&self, i: usize) -> &[u8] {
        let (a, b) = self.bounds[i];
        &self.text[a..b]
    }
}

/// The records of a CSV text, in order.
pub(crate) struct Records<'a> {
    text: &'a [u8],
    pos: usize,
    /// Line breaks in `text[..pos]`.
    breaks: u64,
    rdr: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    record: csv::StringRecord,
    max: usize,
}

/// Is `text[i]` a line break? `\n`, or `\r` not followed by `\n` (a `\r\n` counts at its `\n`).
fn is_break(text: &[u8], i: usize) -> bool {
    match text[i] {
        b'\n' => true,
        b'\r' => text.get(i + 1) != Some(&b'\n'),
        _ => false,
    }
}

fn count_breaks(text: &[u8], from: usize, to: usize) -> u64 {
    (from..to).filter(|&i| is_break(text, i)).count() as u64
}

impl<'a> Records<'a> {
    pub fn new(text: &'a [u8], delimiter: u8) -> Records<'a> {
        Records::with_limit(text, delimiter, MAX_RECORD)
    }

    /// The records of `text` from byte `pos`, a record's start after `breaks` line breaks.
    pub fn resume(text: &'a [u8], delimiter: u8, pos: usize, breaks: u64) -> Records<'a> {
        let mut r = Records::new(text, delimiter);
        r.pos = pos;
        r.breaks = breaks;
        r
    }

    pub fn with_limit(text: &'a [u8], delimiter: u8, max: usize) -> Records<'a> {
        Records {
            text,
            pos: 0,
            breaks: 0,
            rdr: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            out: vec![0; 4096.min(max.max(16))],
            ends: vec![0; 64],
            record: csv::StringRecord::new(),
            max,
        }
    }

    /// Bytes consumed so far (for progress).
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Line breaks consumed so far: at the end, those of the whole text.
    pub fn breaks(&self) -> u64 {
        self.breaks
    }

    /// The next record, `None` at the end.
    pub fn next_item(&mut self) -> Option<Item<'_>> {
        match self.next_raw()? {
            Raw::TooLong { line, bytes, head } => Some(Item::TooLong { line, bytes, head }),
            Raw::Record { line, nend, .. } => {
                self.record.clear();
                let mut from = 0;
                for &end in &self.ends[..nend] {
                    let field = &self.out[from..end];
                    self.record.push_field(&String::from_utf8_lossy(field));
                    from = end;
                }
                Some(Item::Record {
                    line,
                    record: &self.record,
                })
            }
        }
    }

    /// The fields of the record `next_raw` returned last: their bytes, unquoted.
    pub fn raw_fields(&self, nend: usize) -> RawFields<'_> {
        RawFields {
            out: &self.out,
            ends: &self.ends[..nend],
        }
    }

    /// The next record without making strings of it: its line, its bytes in the text
    /// (`start..end`) and the number of its fields (see [`Records::raw_fields`]).
    pub fn next_raw(&mut self) -> Option<Raw> {
        // Blank lines before the record.
        while self.pos < self.text.len() && matches!(self.text[self.pos], b'\r' | b'\n') {
            self.breaks += u64::from(is_break(self.text, self.pos));
            self.pos += 1;
        }
        if self.pos >= self.text.len() {
            return None;
        }
        let start = self.pos;
        let line = self.breaks + 1;
        let (mut nout, mut nend) = (0usize, 0usize);
        let mut too_long = false;
        let mut at_eof = false;
        loop {
            let input = if at_eof {
                &[][..]
            } else {
                &self.text[self.pos..]
            };
            let (res, nin, o, e) =
                self.rdr
                    .read_record(input, &mut self.out[nout..], &mut self.ends[nend..]);
            self.pos += nin;
            nout += o;
            nend += e;
            use csv_core::ReadRecordResult as R;
            match res {
                R::InputEmpty => at_eof = true,
                R::OutputFull => {
                    if self.out.len() < self.max {
                        let n = (self.out.len() * 2).min(self.max);
                        self.out.resize(n, 0);
                    } else {
                        // Too long: reuse the buffer for the rest, which is never looked at.
                        too_long = true;
                        nout = 0;
                        nend = 0;
                    }
                }
                R::OutputEndsFull => {
                    if self.ends.len() < self.max / 2 {
                        let n = self.ends.len() * 2;
                        self.ends.resize(n, 0);
                    } else {
                        too_long = true;
                        nout = 0;
                        nend = 0;
                    }
                }
                R::Record | R::End => break,
            }
        }
        // The record's own line breaks (quoted newlines and its terminator).
        self.breaks += count_breaks(self.text, start, self.pos);
        if too_long || self.pos - start > self.max {
            // Its beginning as written (on a character boundary).
            let mut end = (start + HEAD).min(self.pos);
            while end > start && std::str::from_utf8(&self.text[start..end]).is_err() {
                end -= 1;
            }
            return Some(Raw::TooLong {
                line,
                bytes: self.pos - start,
                head: String::from_utf8_lossy(&self.text[start..end]).into_owned(),
            });
        }
        Some(Raw::Record {
            line,
            start,
            end: self.pos,
            nend,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<(u64, Vec<String>)> {
        let mut r = Records::new(text.as_bytes(), b',');
        let mut out = Vec::new();
        while let Some(item) = r.next_item() {
            match item {
                Item::Record { line, record } => {
                    out.push((line, record.iter().map(String::from).collect()))
                }
                Item::TooLong { line, .. } => out.push((line, vec!["<too long>".into()])),
            }
        }
        out
    }

    #[test]
    fn line_numbers_are_right_for_lf_crlf_and_cr_files() {
        for nl in ["\n", "\r\n", "\r"] {
            let text = ["h1,h2", "a,1", "b,2", "", "c,3", "d,4"].join(nl) + nl;
            let got: Vec<u64> = lines(&text).iter().map(|x| x.0).collect();
            assert_eq!(got, vec![1, 2, 3, 5, 6], "newline {nl:?}");
        }
    }

    #[test]
    fn a_quoted_field_across_lines_keeps_the_lines_after_it_right() {
        let text = "h\n\"a\r\nb\"\nc\n";
        let got = lines(text);
        assert_eq!(got[1], (2, vec!["a\r\nb".to_string()]));
        assert_eq!(got[2], (4, vec!["c".to_string()]));
    }

    #[test]
    fn the_last_record_without_a_line_break_is_read() {
        assert_eq!(
            lines("h\nx,\"y,z\""),
            vec![
                (1, vec!["h".to_string()]),
                (2, vec!["x".to_string(), "y,z".to_string()])
            ]
        );
    }

    #[test]
    fn a_record_over_the_limit_is_one_item_with_its_length_and_head_and_the_rest_is_read() {
        let long = "x".repeat(10_000);
        let text = format!("h\n{long},{long}\nafter\n");
        let mut r = Records::with_limit(text.as_bytes(), b',', 1000);
        assert!(matches!(r.next_item(), Some(Item::Record { line: 1, .. })));
        match r.next_item() {
            Some(Item::TooLong { line, bytes, head }) => {
                assert_eq!(line, 2);
                assert_eq!(bytes, 20_002);
                assert_eq!(head, "x".repeat(HEAD));
                assert_eq!(head.len(), HEAD);
            }
            _ => panic!("expected a too-long record"),
        }
        match r.next_item() {
            Some(Item::Record { line, record }) => {
                assert_eq!(line, 3);
                assert_eq!(record.get(0), Some("after"));
            }
            _ => panic!("expected the next record"),
        }
        assert!(r.next_item().is_none());
    }

    #[test]
    fn a_semicolon_file_splits_on_semicolons() {
        let mut r = Records::new(b"a;b,c\n1;2,5\n", b';');
        r.next_item();
        match r.next_item() {
            Some(Item::Record { record, .. }) => {
                assert_eq!(record.iter().collect::<Vec<_>>(), vec!["1", "2,5"])
            }
            _ => panic!(),
        }
    }
}
