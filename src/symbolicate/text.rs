//! Script text addressed the way V8 and source maps address it: 0-based
//! lines and UTF-16 columns.

/// A script or original source with its line starts indexed.
pub struct Text {
    /// The text.
    pub text: String,
    starts: Vec<usize>,
    /// Per line: all ASCII, so that UTF-16 columns are byte offsets (the
    /// common case, and the one-line 10 MB bundle must not be walked per lookup).
    ascii: Vec<bool>,
}

impl Text {
    /// Index the lines of `text` (`\n`, `\r\n` and `\r` end a line).
    pub fn new(text: String) -> Text {
        let mut starts = vec![0];
        let b = text.as_bytes();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'\n' => starts.push(i + 1),
                b'\r' if b.get(i + 1) != Some(&b'\n') => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        let ascii = (0..starts.len())
            .map(|i| {
                let end = starts.get(i + 1).copied().unwrap_or(text.len());
                text.as_bytes()[starts[i]..end].is_ascii()
            })
            .collect();
        Text {
            text,
            starts,
            ascii,
        }
    }

    /// Number of lines (a final line without a newline counts).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The bytes of a line, without its line end.
    pub fn line(&self, line: usize) -> Option<&str> {
        let start = *self.starts.get(line)?;
        let end = self
            .starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.text.len());
        Some(self.text[start..end].trim_end_matches(['\n', '\r']))
    }

    /// Length of a line in UTF-16 units.
    pub fn line_len_utf16(&self, line: usize) -> Option<usize> {
        let l = self.line(line)?;
        Some(if self.ascii[line] {
            l.len()
        } else {
            l.encode_utf16().count()
        })
    }

    /// Byte offset of a 0-based line and UTF-16 column; `None` past the line's end.
    pub fn offset(&self, line: u32, col: u32) -> Option<usize> {
        let start = *self.starts.get(line as usize)?;
        let l = self.line(line as usize)?;
        if self.ascii[line as usize] {
            return ((col as usize) <= l.len()).then_some(start + col as usize);
        }
        let mut units = 0u32;
        for (i, c) in l.char_indices() {
            if units >= col {
                return Some(start + i);
            }
            units += c.len_utf16() as u32;
        }
        (units == col).then_some(start + l.len())
    }

    /// The 0-based line and UTF-16 column of a byte offset.
    pub fn position(&self, offset: usize) -> (u32, u32) {
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        if self.ascii[line] {
            return (line as u32, (offset - start) as u32);
        }
        let col = self
            .text
            .get(start..offset)
            .map(|t| t.encode_utf16().count())
            .unwrap_or(0);
        (line as u32, col as u32)
    }

    /// The last line holding something other than spaces.
    pub fn last_non_empty_line(&self) -> Option<&str> {
        (0..self.line_count())
            .rev()
            .filter_map(|i| self.line(i))
            .find(|l| !l.trim().is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::Text;

    #[test]
    fn positions() {
        let t = Text::new("ab\r\nçd€x\nlast".to_string());
        assert_eq!(t.line_count(), 3);
        assert_eq!(t.line(1), Some("çd€x"));
        assert_eq!(t.offset(1, 3), Some(4 + "çd€".len()));
        assert_eq!(t.position(4 + "çd€".len()), (1, 3));
        assert_eq!(t.offset(1, 4), Some(4 + "çd€x".len()));
        assert_eq!(t.offset(1, 5), None);
        assert_eq!(t.offset(9, 0), None);
        assert_eq!(t.last_non_empty_line(), Some("last"));
    }
}
