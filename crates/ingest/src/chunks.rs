//! Cutting a CSV stream into chunks of whole records, so that several threads can parse one
//! file: a chunk ends after a line break that ends a record (never inside a quoted field, never
//! between the `\r` and `\n` of a `\r\n`). Memory is bounded by the chunk size (and the longest
//! record).
//!
//! The cut follows `csv-core`'s quoting rules: a `"` opens a quoted field only at the start of a
//! field, `""` inside a quoted field is a quote, and a line break inside a quoted field belongs to
//! the field. A block without any `"` (the usual case) is cut at its last line break without
//! looking at every byte.

use std::io::Read;

/// The size a chunk is cut at (a little more: up to the next record boundary).
#[cfg(not(test))]
pub(crate) const CHUNK: usize = 4 << 20;
/// Small in tests, so that a small file spans many chunks.
#[cfg(test)]
pub(crate) const CHUNK: usize = 16 << 10;

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a field (or a record).
    FieldStart,
    /// In an unquoted field.
    Unquoted,
    /// In a quoted field.
    Quoted,
    /// A `"` in a quoted field: the end of the field, or the first half of `""`.
    QuoteInQuoted,
}

/// Reads a stream and hands out chunks of whole records.
pub(crate) struct Splitter<R> {
    r: R,
    delim: u8,
    /// Bytes read and not yet handed out; `buf[..scanned]` has been scanned.
    buf: Vec<u8>,
    scanned: usize,
    /// The state after `buf[..scanned]`.
    state: State,
    /// The last record boundary in `buf[..scanned]`.
    cut: usize,
    eof: bool,
    first: bool,
}

impl<R: Read> Splitter<R> {
    pub fn new(r: R, delim: u8) -> Splitter<R> {
        Splitter {
            r,
            delim,
            buf: Vec::with_capacity(CHUNK + (64 << 10)),
            scanned: 0,
            state: State::FieldStart,
            cut: 0,
            eof: false,
            first: true,
        }
    }

    /// The next chunk (whole records; the file's last chunk may end without a line break),
    /// `None` at the end.
    pub fn next_chunk(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        loop {
            if self.cut >= CHUNK || (self.eof && self.scanned == self.buf.len()) {
                let end = if self.eof && self.scanned == self.buf.len() {
                    self.buf.len()
                } else {
                    self.cut
                };
                if end == 0 {
                    return Ok(None);
                }
                let rest = self.buf.split_off(end);
                let chunk = std::mem::replace(&mut self.buf, rest);
                self.scanned -= end;
                self.cut = 0;
                self.buf.reserve(CHUNK);
                return Ok(Some(chunk));
            }
            // Everything scanned, or all but a final `\r` that waits for the byte after it.
            let pending_cr = self.scanned + 1 == self.buf.len() && self.buf.last() == Some(&b'\r');
            if !self.eof && (self.scanned == self.buf.len() || pending_cr) {
                self.fill()?;
            }
            self.scan();
        }
    }

    fn fill(&mut self) -> std::io::Result<()> {
        let have = self.buf.len();
        let want = (CHUNK / 4).max(1);
        self.buf.resize(have + want, 0);
        let mut n = 0;
        while n < want {
            match self.r.read(&mut self.buf[have + n..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(k) => n += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.buf.truncate(have + n);
                    return Err(e);
                }
            }
        }
        self.buf.truncate(have + n);
        if self.first {
            self.first = false;
            if self.buf.starts_with(b"\xEF\xBB\xBF") {
                self.buf.drain(..3);
            }
        }
        Ok(())
    }

    /// Scan `buf[scanned..]`, moving `cut` to the last record boundary found. A `\r` at the very
    /// end is left unscanned until the next byte (or the end) is known.
    fn scan(&mut self) {
        let end = if !self.eof && self.buf.last() == Some(&b'\r') {
            self.buf.len() - 1
        } else {
            self.buf.len()
        };
        let from = self.scanned;
        if from >= end {
            return;
        }
        let block = &self.buf[from..end];
        if self.state != State::Quoted
            && self.state != State::QuoteInQuoted
            && memchr::memchr(b'"', block).is_none()
        {
            // No quote: every line break ends a record.
            let tail = match memchr::memrchr2(b'\n', b'\r', block) {
                Some(i) => {
                    self.cut = from + i + 1;
                    self.state = State::FieldStart;
                    &block[i + 1..]
                }
                None => block,
            };
            // After an unquoted tail: a field has started, unless the tail ends a field.
            match tail.last() {
                Some(&b) if b == self.delim => self.state = State::FieldStart,
                Some(_) => self.state = State::Unquoted,
                None => {}
            }
            self.scanned = end;
            return;
        }
        let delim = self.delim;
        let mut state = self.state;
        for (i, &b) in block.iter().enumerate() {
            state = match (state, b) {
                (State::Quoted, b'"') => State::QuoteInQuoted,
                (State::Quoted, _) => State::Quoted,
                (State::QuoteInQuoted, b'"') => State::Quoted,
                (State::FieldStart, b'"') => State::Quoted,
                (_, b'\n' | b'\r') => {
                    self.cut = from + i + 1;
                    State::FieldStart
                }
                (_, x) if x == delim => State::FieldStart,
                _ => State::Unquoted,
            };
        }
        self.state = state;
        self.scanned = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csvrows::{Item, Records};

    /// Records of a text as (line, fields), parsed whole.
    fn whole(text: &[u8]) -> Vec<(u64, Vec<String>)> {
        let mut r = Records::new(text, b',');
        let mut out = Vec::new();
        while let Some(item) = r.next_item() {
            if let Item::Record { line, record } = item {
                out.push((line, record.iter().map(String::from).collect()));
            }
        }
        out
    }

    /// The same, chunk by chunk with a given chunk reader, lines offset by the breaks before.
    fn chunked(text: &[u8], block: usize) -> Vec<(u64, Vec<String>)> {
        struct Slow<'a>(&'a [u8], usize);
        impl Read for Slow<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(buf.len()).min(self.1);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut s = Splitter::new(Slow(text, block), b',');
        let mut out = Vec::new();
        let mut offset = 0;
        while let Some(chunk) = s.next_chunk().unwrap() {
            let mut r = Records::new(&chunk, b',');
            while let Some(item) = r.next_item() {
                if let Item::Record { line, record } = item {
                    out.push((offset + line, record.iter().map(String::from).collect()));
                }
            }
            offset += r.breaks();
        }
        out
    }

    #[test]
    fn chunks_hold_whole_records_whatever_the_quotes_and_line_breaks() {
        let mut text = Vec::new();
        for i in 0..200_000 {
            match i % 7 {
                0 => text.extend_from_slice(format!("a{i},\"x\ny\",3\r\n").as_bytes()),
                1 => text.extend_from_slice(format!("b{i},\"q\"\"\r\",z\r").as_bytes()),
                2 => text.extend_from_slice(format!("c{i},d\"e,\"f\n\"\n").as_bytes()),
                3 => text.extend_from_slice(b"\n\n"),
                _ => text.extend_from_slice(format!("p{i},plain,{i}\n").as_bytes()),
            }
        }
        let expected = whole(&text);
        assert!(expected.len() > 150_000);
        assert_eq!(chunked(&text, 1 << 20), expected);
        assert_eq!(chunked(&text, 1), expected[..].to_vec());
    }

    #[test]
    fn a_bom_is_dropped_and_the_last_record_needs_no_line_break() {
        let text = b"\xEF\xBB\xBFh1,h2\nx,y";
        assert_eq!(
            chunked(text, 3),
            vec![
                (1, vec!["h1".to_string(), "h2".to_string()]),
                (2, vec!["x".to_string(), "y".to_string()])
            ]
        );
    }
}
