//! Repairs made to imperfect data, reported once each on standard error.

/// The repairs and oddities found while importing and folding one run.
///
/// Each entry is one complete sentence, already counted ("skipped 5 samples
/// naming unknown node ids"), so that a repair is reported once, not once per sample.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Warnings {
    items: Vec<String>,
    notes: Vec<String>,
}

impl Warnings {
    /// No warnings yet.
    pub fn new() -> Warnings {
        Warnings::default()
    }

    /// Record a warning about `input`.
    pub fn push(&mut self, input: &str, message: impl AsRef<str>) {
        self.items.push(format!("{input}: {}", message.as_ref()));
    }

    /// Record `count` occurrences of something, if there were any.
    pub fn count(&mut self, input: &str, count: usize, what: impl FnOnce(usize) -> String) {
        if count > 0 {
            self.push(input, what(count));
        }
    }

    /// Append another set of warnings.
    pub fn extend(&mut self, other: Warnings) {
        self.items.extend(other.items);
        self.notes.extend(other.notes);
    }

    /// Record a remark that is not a repair (the source maps summary):
    /// printed like a warning, never an error under `--strict`.
    pub fn note(&mut self, text: impl Into<String>) {
        self.notes.push(text.into());
    }

    /// The remarks, in the order made.
    pub fn notes(&self) -> impl Iterator<Item = &str> {
        self.notes.iter().map(String::as_str)
    }

    /// The warnings, in the order found.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.items.iter().map(String::as_str)
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}
