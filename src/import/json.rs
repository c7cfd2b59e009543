//! JSON plumbing shared by the importers: tolerant number types and
//! error messages with byte offsets.
//!
//! Profiles come from many writers. Ids are integers, but some tools write
//! them as strings or floats; times are numbers, but legacy files write them
//! as strings ("181012.12024"). These types accept every such spelling and
//! reject the rest with a message naming what was expected.

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::fmt;

use crate::error::Error;

/// A node or stack id: a non-negative integer, however it was spelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(pub u64);

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Id, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Id;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a non-negative integer id")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Id, E> {
                Ok(Id(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Id, E> {
                u64::try_from(v)
                    .map(Id)
                    .map_err(|_| E::custom(format!("negative id {v}")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Id, E> {
                if v.fract() == 0.0 && (0.0..9.0e15).contains(&v) {
                    Ok(Id(v as u64))
                } else {
                    Err(E::custom(format!("id {v} is not a non-negative integer")))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Id, E> {
                let t = v.trim().trim_start_matches(':');
                let parsed = if let Some(hex) = t.strip_prefix("0x") {
                    u64::from_str_radix(hex, 16).ok()
                } else {
                    t.parse().ok()
                };
                parsed
                    .map(Id)
                    .ok_or_else(|| E::custom(format!("id {v:?} is not an integer")))
            }
        }
        d.deserialize_any(V)
    }
}

/// A number that may have been written as a JSON string; `null` is read as absent
/// by wrapping it in `Option`.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct Num(pub f64);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Num, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Num, E> {
                Ok(Num(v as f64))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Num, E> {
                Ok(Num(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Num, E> {
                Ok(Num(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Num, E> {
                v.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .map(Num)
                    .ok_or_else(|| E::custom(format!("{v:?} is not a number")))
            }
        }
        d.deserialize_any(V)
    }
}

/// Anything at all, skipped without building it (used for fields whose type
/// varies between writers and which we do not need, such as `scriptId`).
pub type Skip = de::IgnoredAny;

/// Turn a serde_json error into our one-line error with a byte offset.
///
/// serde_json reports line and column; the byte offset is what a user can
/// feed to `head -c`/`dd`, so compute it from the document.
pub fn json_error(input: &str, bytes: &[u8], err: &serde_json::Error) -> Error {
    // At end of input the problem is where the bytes stop.
    let offset = if err.is_eof() {
        bytes.len()
    } else {
        byte_offset(bytes, err.line(), err.column())
    };
    let mut message = err.to_string();
    // serde_json appends " at line L column C"; the offset replaces it.
    if let Some(pos) = message.rfind(" at line ") {
        message.truncate(pos);
    }
    if err.is_eof() {
        message = format!("{message} (the file ends early: truncated?)");
    }
    Error::Json {
        input: input.to_string(),
        offset,
        message,
        syntax: err.classify() != serde_json::error::Category::Data,
    }
}

/// Byte offset of a 1-based (line, column) position, clamped to the document.
fn byte_offset(bytes: &[u8], line: usize, column: usize) -> usize {
    if line == 0 {
        return 0;
    }
    let mut line_start = 0;
    let mut seen = 1;
    if line > 1 {
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' {
                seen += 1;
                if seen == line {
                    line_start = i + 1;
                    break;
                }
            }
        }
    }
    (line_start + column.saturating_sub(1)).min(bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_follow_lines() {
        let doc = b"{\n  \"a\": 1,\n  \"b\": x\n}";
        let err = serde_json::from_slice::<serde_json::Value>(doc).unwrap_err();
        let e = json_error("f", doc, &err);
        match e {
            Error::Json { offset, .. } => assert_eq!(doc[offset], b'x'),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn ids_accept_all_spellings() {
        let ids: Vec<Id> = serde_json::from_str(r#"[1, 2.0, "3", ":4", "0x10"]"#).unwrap();
        assert_eq!(ids, vec![Id(1), Id(2), Id(3), Id(4), Id(16)]);
        assert!(serde_json::from_str::<Id>("-1").is_err());
        assert!(serde_json::from_str::<Id>("1.5").is_err());
    }

    #[test]
    fn numbers_accept_strings() {
        let n: Vec<Num> = serde_json::from_str(r#"[1, -2, 3.5, "181012.12024"]"#).unwrap();
        assert_eq!(n, vec![Num(1.0), Num(-2.0), Num(3.5), Num(181012.12024)]);
        assert!(serde_json::from_str::<Num>("\"NaN\"").is_err());
    }
}

/// A string from the profile, kept even when it is not valid Unicode: invalid
/// UTF-8 bytes and lone surrogates (`"\ud800"`, which JavaScript allows in
/// function names) become U+FFFD instead of failing the whole file.
/// Borrows from the input when the text has no escapes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text<'a>(pub std::borrow::Cow<'a, str>);

impl Text<'_> {
    /// The text as an owned string.
    pub fn into_owned(self) -> String {
        self.0.into_owned()
    }
}

impl std::ops::Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text<'a>, D::Error> {
        use std::borrow::Cow;
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<Text<'de>, E> {
                Ok(Text(match std::str::from_utf8(v) {
                    Ok(s) => Cow::Borrowed(s),
                    Err(_) => Cow::Owned(lossy_wtf8(v)),
                }))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(lossy_wtf8(v))))
            }
            // Numbers where a name belongs: keep them as text.
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
        }
        // serde_json hands strings over as raw bytes here, without rejecting
        // invalid UTF-8 or lone surrogates (it writes those as WTF-8).
        d.deserialize_bytes(V)
    }
}

/// UTF-8 with each invalid sequence replaced by U+FFFD, where a WTF-8 encoded
/// lone surrogate (three bytes `ED A0..BF xx`) counts as one character.
fn lossy_wtf8(mut v: &[u8]) -> String {
    let mut out = String::with_capacity(v.len());
    loop {
        match std::str::from_utf8(v) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let good = e.valid_up_to();
                out.push_str(std::str::from_utf8(&v[..good]).unwrap_or_default());
                out.push('\u{fffd}');
                let rest = &v[good..];
                let surrogate = rest.len() >= 3
                    && rest[0] == 0xED
                    && (0xA0..=0xBF).contains(&rest[1])
                    && (0x80..=0xBF).contains(&rest[2]);
                let skip = if surrogate {
                    3
                } else {
                    e.error_len().unwrap_or(rest.len())
                };
                v = &rest[skip.min(rest.len())..];
            }
        }
    }
}

#[cfg(test)]
mod text_tests {
    use super::*;

    #[test]
    fn text_survives_bad_unicode() {
        let t: Vec<Text> =
            serde_json::from_slice(b"[\"plain\", \"esc\\u00e9\", \"lone\\ud800x\"]").unwrap();
        assert_eq!(&*t[0], "plain");
        assert!(matches!(t[0].0, std::borrow::Cow::Borrowed(_)));
        assert_eq!(&*t[1], "esc\u{e9}");
        assert_eq!(&*t[2], "lone\u{fffd}x");
        let mut raw = b"[\"a".to_vec();
        raw.push(0xff);
        raw.extend_from_slice(b"b\"]");
        let t: Vec<Text> = serde_json::from_slice(&raw).unwrap();
        assert_eq!(&*t[0], "a\u{fffd}b");
    }
}
