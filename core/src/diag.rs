//! Diagnostics: what the user sees when input is wrong, always at a file, line and column.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "Error",
            Severity::Warning => "Warning",
            Severity::Info => "Info",
        }
    }
}

/// A 1-based line/column range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Span {
    pub start_line: u32,
    pub start_col: u32,
    pub end_line: u32,
    pub end_col: u32,
}

impl Span {
    pub fn point(line: u32, col: u32) -> Span {
        Span {
            start_line: line,
            start_col: col,
            end_line: line,
            end_col: col + 1,
        }
    }

    pub fn contains_line(&self, line: u32) -> bool {
        self.start_line <= line && line <= self.end_line
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// A stable code: `IST0xxx` where istioctl analyze has one, `PL0xxx` for our own.
    pub code: String,
    pub severity: Severity,
    pub message: String,
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    /// The object the finding is about, as `Kind namespace/name`, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
}

impl Diagnostic {
    pub fn new(
        code: &str,
        severity: Severity,
        message: impl Into<String>,
        file: &str,
        span: Span,
    ) -> Self {
        Diagnostic {
            code: code.to_string(),
            severity,
            message: message.into(),
            file: file.to_string(),
            line: span.start_line.max(1),
            column: span.start_col.max(1),
            end_line: span.end_line.max(span.start_line).max(1),
            end_column: span.end_col.max(1),
            object: None,
        }
    }

    pub fn with_object(mut self, object: impl Into<String>) -> Self {
        self.object = Some(object.into());
        self
    }

    /// `file:line:column: Error [CODE] message`, the form compilers use and editors link.
    pub fn render(&self) -> String {
        format!(
            "{}:{}:{}: {} [{}] {}",
            self.file,
            self.line,
            self.column,
            self.severity.as_str(),
            self.code,
            self.message
        )
    }
}

/// Codes of our own, for what istioctl has no code for.
pub mod codes {
    /// The YAML itself does not parse.
    pub const YAML_SYNTAX: &str = "PL0001";
    /// A document lacks apiVersion/kind/metadata.name, or is not a mapping.
    pub const NOT_AN_OBJECT: &str = "PL0002";
    /// A kind we recognise but do not translate yet.
    pub const UNSUPPORTED_KIND: &str = "PL0003";
    /// Two objects of the same kind, namespace and name.
    pub const DUPLICATE_OBJECT: &str = "PL0004";
    /// Input too large or too deeply nested to be processed safely.
    pub const LIMIT: &str = "PL0005";
    /// Istio's schema validation error (unknown field, wrong type, invalid value).
    pub const SCHEMA: &str = "IST0106";
}
