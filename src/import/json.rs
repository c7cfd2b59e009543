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
