//! Errors, one enum per boundary: parsing input, loading configuration, restoring
//! snapshots, and computing reports.
//!
//! Every error names what was wrong: a [`ParseError`] carries the input line, the
//! column, and the JSON field path (`entry[0].changes[0].value.messages[1].timestamp`),
//! so a person can find the bad byte in a file of millions of lines.

use std::fmt;

/// What kind of problem a [`ParseError`] reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The bytes are not valid JSON (trailing commas, comments, stray characters, ...).
    #[default]
    Syntax,
    /// The document ends before its JSON is complete (truncated input).
    Truncated,
    /// The bytes are not valid UTF-8.
    Utf8,
    /// A field has the wrong JSON type, or a required field is missing.
    Schema,
    /// A field has the right type but an impossible value (timestamp out of range,
    /// amount too large, malformed currency or date).
    Value,
    /// The document is neither a Cloud API webhook payload nor a convolens record.
    UnknownRecord,
    /// The line is longer than the configured limit.
    TooLong,
    /// The line is empty where a document was expected.
    Empty,
}

/// A line or document that could not be ingested. Nothing of it was applied; everything
/// ingested before it is kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error, serde::Serialize)]
pub struct ParseError {
    /// What kind of problem this is.
    pub kind: ParseErrorKind,
    /// 1-based line number in the stream (or in the file, for a multi-line document).
    pub line: u64,
    /// 1-based column within that line, when known (0 otherwise).
    pub column: u64,
    /// JSON path of the offending field (`""` for the document itself).
    pub field: String,
    /// Human-readable explanation.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}", self.line)?;
        if self.column > 0 {
            write!(f, ", column {}", self.column)?;
        }
        if !self.field.is_empty() {
            write!(f, ", field `{}`", self.field)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl ParseError {
    /// A new error at `line` (column unknown).
    pub fn new(
        kind: ParseErrorKind,
        line: u64,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            line,
            column: 0,
            field: field.into(),
            message: message.into(),
        }
    }

    /// The error with its line counted from 1 at engine line `first` (the first line of
    /// the batch it came from; see [`crate::Engine::next_line`]).
    #[must_use]
    pub fn relative_to(mut self, first: u64) -> Self {
        self.line = self.line.saturating_sub(first.saturating_sub(1));
        self
    }

    /// Shift the error's line by `offset` lines (used when a document starts after line 1).
    #[must_use]
    pub fn at_line_offset(mut self, offset: u64) -> Self {
        self.line += offset;
        self
    }

    /// For a document that starts at `column` of `line` (not at the line's start): count a
    /// column on that line from the start of the line.
    #[must_use]
    pub fn at_column(mut self, line: u64, column: u64) -> Self {
        if self.line == line && self.column > 0 {
            self.column += column.saturating_sub(1);
        }
        self
    }
}

/// A configuration that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The configuration is not valid JSON or has a field of the wrong type; unknown keys
    /// are reported here and named.
    #[error("config: {path}: {message}")]
    Invalid {
        /// Path of the offending key (`attribution.model`).
        path: String,
        /// What is wrong with it.
        message: String,
    },
    /// A value is well-typed but not acceptable (unknown time zone, bad regex, ...).
    #[error("config: `{key}`: {message}")]
    Value {
        /// The key whose value is wrong.
        key: String,
        /// What is wrong with it.
        message: String,
    },
}

impl ConfigError {
    /// A `Value` error for `key`.
    pub fn value(key: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Value {
            key: key.into(),
            message: message.into(),
        }
    }
}

/// A report that cannot be computed as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The requested range is empty or inverted.
    #[error("report range: {0}")]
    Range(String),
    /// An option value is not acceptable (unknown model, unknown time zone, ...).
    #[error("report option `{option}`: {message}")]
    Option {
        /// The option name.
        option: String,
        /// What is wrong with it.
        message: String,
    },
    /// The computation cannot be done for this data (e.g. exact Shapley over too many sources).
    #[error("{0}")]
    Unsupported(String),
    /// The report needs history that expired in a form the sealed days do not keep (see
    /// [`crate::expiry`](crate::guide::expiry)).
    #[error("report needs expired history: {0}")]
    Expired(String),
    /// Writing an export failed (the I/O error's message).
    #[error("write: {0}")]
    Write(String),
    /// The configuration the report needs is not usable (e.g. an unresolved rate-card path).
    #[error(transparent)]
    Config(#[from] ConfigError),
}

/// A snapshot that cannot be restored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// The bytes do not start with the convolens snapshot magic.
    #[error("snapshot: not a convolens snapshot (bad magic)")]
    BadMagic,
    /// The snapshot was written by a newer schema than this library reads.
    #[error("snapshot: schema version {found} is newer than the supported {supported}")]
    NewerVersion {
        /// Version found in the header.
        found: u32,
        /// Highest version this build reads.
        supported: u32,
    },
    /// The snapshot is truncated or its contents do not decode.
    #[error("snapshot: corrupt: {0}")]
    Corrupt(String),
    /// The snapshot is of a pseudonymised engine: restore it with its secret
    /// ([`crate::Engine::restore_with_secret`]).
    #[error(
        "snapshot: pseudonymised; restore it with the secret from the environment variable `{secret_env}`"
    )]
    NeedsSecret {
        /// The environment variable the config names for the secret.
        secret_env: String,
    },
    /// The secret given does not match the snapshot's pseudonyms.
    #[error("snapshot: wrong secret: {0}")]
    WrongSecret(String),
}

/// Any convolens error, for callers that handle them together: one variant per boundary.
/// Deliberately exhaustive, so code that maps every kind (the bindings do) is told by the
/// compiler when a boundary is added.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// See [`ParseError`].
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// See [`ConfigError`].
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// See [`ReportError`].
    #[error(transparent)]
    Report(#[from] ReportError),
    /// See [`SnapshotError`].
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
}

impl ParseErrorKind {
    /// The `snake_case` name (`syntax`, `truncated`, `utf8`, `schema`, `value`,
    /// `unknown_record`, `too_long`, `empty`), as the bindings expose it.
    pub fn as_str(self) -> &'static str {
        match self {
            ParseErrorKind::Syntax => "syntax",
            ParseErrorKind::Truncated => "truncated",
            ParseErrorKind::Utf8 => "utf8",
            ParseErrorKind::Schema => "schema",
            ParseErrorKind::Value => "value",
            ParseErrorKind::UnknownRecord => "unknown_record",
            ParseErrorKind::TooLong => "too_long",
            ParseErrorKind::Empty => "empty",
        }
    }
}

impl ConfigError {
    /// The config key the error is about (`attribution.model`, `rate_card`, `sources[2]`);
    /// `""` for the document as a whole.
    pub fn key(&self) -> &str {
        match self {
            ConfigError::Invalid { path, .. } => path,
            ConfigError::Value { key, .. } => key,
        }
    }
}

impl ReportError {
    /// What kind of problem this is: `config`, `range`, `option`, `unsupported`,
    /// `expired` or `write` (the bindings' error `kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            ReportError::Config(_) => "config",
            ReportError::Range(_) => "range",
            ReportError::Option { .. } => "option",
            ReportError::Unsupported(_) => "unsupported",
            ReportError::Expired(_) => "expired",
            ReportError::Write(_) => "write",
        }
    }

    /// The report option a `kind() == "option"` error is about; `None` otherwise.
    pub fn option(&self) -> Option<&str> {
        match self {
            ReportError::Option { option, .. } => Some(option),
            ReportError::Range(_)
            | ReportError::Unsupported(_)
            | ReportError::Expired(_)
            | ReportError::Write(_)
            | ReportError::Config(_) => None,
        }
    }
}

impl SnapshotError {
    /// What kind of problem this is: `bad_magic`, `newer_version`, `corrupt`,
    /// `needs_secret` or `wrong_secret`.
    pub fn kind(&self) -> &'static str {
        match self {
            SnapshotError::BadMagic => "bad_magic",
            SnapshotError::NewerVersion { .. } => "newer_version",
            SnapshotError::Corrupt(_) => "corrupt",
            SnapshotError::NeedsSecret { .. } => "needs_secret",
            SnapshotError::WrongSecret(_) => "wrong_secret",
        }
    }
}

impl Error {
    /// Which boundary failed: `parse`, `config`, `report` or `snapshot`.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Parse(_) => "parse",
            Error::Config(_) => "config",
            Error::Report(_) => "report",
            Error::Snapshot(_) => "snapshot",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_match_their_serde_names() {
        // The parse kinds' names are their serde names, so JSON and `as_str` agree.
        for k in [
            ParseErrorKind::Syntax,
            ParseErrorKind::Truncated,
            ParseErrorKind::Utf8,
            ParseErrorKind::Schema,
            ParseErrorKind::Value,
            ParseErrorKind::UnknownRecord,
            ParseErrorKind::TooLong,
            ParseErrorKind::Empty,
        ] {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        let e = ReportError::Option {
            option: "last".into(),
            message: "bad".into(),
        };
        assert_eq!((e.kind(), e.option()), ("option", Some("last")));
        assert_eq!(ReportError::Range(String::new()).option(), None);
        assert_eq!(ConfigError::value("rate_card", "x").key(), "rate_card");
        assert_eq!(SnapshotError::BadMagic.kind(), "bad_magic");
        assert_eq!(Error::from(SnapshotError::BadMagic).kind(), "snapshot");
    }
}
