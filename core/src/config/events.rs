//! Messaging events, custom source rules and funnels as the config writes them
//! (semantics §3, §4). What they match is applied in [`crate::sources`](crate::guide::sources).

use serde::{Deserialize, Serialize};

/// How a pattern matches text (case-insensitive unless `case_sensitive`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The whole text equals the pattern (after trimming).
    #[default]
    Exact,
    /// The text starts with the pattern.
    Prefix,
    /// The text contains the pattern.
    Contains,
    /// The pattern is a regular expression (`regex-lite` syntax) found anywhere in the text.
    Regex,
}

/// A custom incoming source: the first inbound text of a conversation matching `pattern`
/// (e.g. a wa.me prefilled text or a QR code ref) opens a conversation of this source.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SourceRule {
    /// The source key reported (`qr:billboard-a`).
    pub key: String,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// How to match.
    #[serde(default, rename = "match")]
    pub match_kind: MatchKind,
    /// The pattern.
    pub pattern: String,
    /// Match case-sensitively. Default false.
    #[serde(default)]
    pub case_sensitive: bool,
}

impl SourceRule {
    /// Check the rule (non-empty key and pattern, a regex that compiles).
    pub fn validate(&self) -> Result<(), String> {
        if self.key.trim().is_empty() {
            return Err("`key` must not be empty".into());
        }
        validate_pattern(self.match_kind, &self.pattern)
    }
}

/// What a messaging event matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// An interactive `button_reply` or a template quick-reply `button` (id/payload or title/text).
    ButtonReply,
    /// An interactive `list_reply` (row id or title).
    ListReply,
    /// A text message.
    TextReply,
}

/// A messaging event: a named pattern on inbound messages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EventDef {
    /// The event's name (used by `conversion_event` and funnels).
    pub name: String,
    /// What kind of message it matches.
    pub kind: EventKind,
    /// How to match. Default `exact` (case-insensitive).
    #[serde(default, rename = "match")]
    pub match_kind: MatchKind,
    /// The pattern, compared with the id/payload and the title/text of replies, or the text.
    pub pattern: String,
}

impl EventDef {
    /// Check the definition.
    pub fn validate(&self) -> Result<(), String> {
        if self.name.trim().is_empty() {
            return Err("`name` must not be empty".into());
        }
        validate_pattern(self.match_kind, &self.pattern)
    }
}

/// A funnel: an ordered list of event names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct FunnelDef {
    /// The funnel's name.
    pub name: String,
    /// Event names (messaging or external), in order.
    pub steps: Vec<String>,
}

pub(crate) fn validate_pattern(kind: MatchKind, pattern: &str) -> Result<(), String> {
    if pattern.is_empty() {
        return Err("`pattern` must not be empty".into());
    }
    if kind == MatchKind::Regex {
        regex_lite::Regex::new(pattern)
            .map_err(|e| format!("`pattern` is not a valid regex: {e}"))?;
    }
    Ok(())
}
