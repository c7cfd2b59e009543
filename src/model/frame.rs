//! Call frames: the function, its script and position.

/// What kind of frame this is; decides colours and the synthetic-frame rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameKind {
    /// The tree's root, `(root)`: never drawn.
    Root,
    /// `(program)`: the VM was busy in native code with no JS on the stack.
    Program,
    /// `(idle)`: the thread was waiting.
    Idle,
    /// `(garbage collector)`.
    Gc,
    /// Any other frame: JavaScript, a builtin, a native function.
    Function,
}

impl FrameKind {
    /// Classify a V8 function name. Only exact meta names are synthetic.
    pub fn of_name(name: &str) -> FrameKind {
        match name {
            "(root)" => FrameKind::Root,
            "(program)" => FrameKind::Program,
            "(idle)" => FrameKind::Idle,
            "(garbage collector)" => FrameKind::Gc,
            _ => FrameKind::Function,
        }
    }

    /// Whether this is one of the synthetic V8 frames.
    pub fn is_synthetic(self) -> bool {
        self != FrameKind::Function
    }
}

/// One function position as the profile records it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CallFrame {
    /// Function name as recorded; empty for anonymous functions.
    pub name: String,
    /// Script URL (`file:///…`, `node:internal/…`, `ext:core/…`, `https://…`), empty when none.
    pub url: String,
    /// 0-based line of the function, or -1 when unknown.
    pub line: i64,
    /// 0-based column of the function, or -1 when unknown.
    pub column: i64,
    /// Synthetic kind, derived from the name.
    pub kind: FrameKind,
}

impl CallFrame {
    /// A frame for a function at a position (0-based line and column, -1 unknown).
    pub fn new(name: &str, url: &str, line: i64, column: i64) -> CallFrame {
        CallFrame {
            name: name.to_string(),
            url: url.to_string(),
            line,
            column,
            kind: FrameKind::of_name(name),
        }
    }

    /// A synthetic frame with no position, such as `(root)` or `(idle)`.
    pub fn synthetic(name: &str) -> CallFrame {
        CallFrame::new(name, "", -1, -1)
    }
}
