//! Compiled patterns: custom source rules, messaging events, and the conversion event.

use super::{Source, SourceDirection, SourceKind};
use crate::config::Config;
use crate::config::{EventDef, EventKind, MatchKind, SourceRule};
use crate::model::{InboundType, ReplyKind};
use crate::store::{InboundData, Store};
use serde::{Deserialize, Serialize};

/// A compiled pattern.
#[derive(Clone, Debug)]
struct Pattern {
    kind: MatchKind,
    /// The pattern, trimmed for `exact`, lower-cased unless case-sensitive.
    text: String,
    case_sensitive: bool,
    re: Option<regex_lite::Regex>,
}

impl Pattern {
    fn new(kind: MatchKind, pattern: &str, case_sensitive: bool) -> Option<Pattern> {
        let re = if kind == MatchKind::Regex {
            let src = if case_sensitive {
                pattern.to_string()
            } else {
                format!("(?i){pattern}")
            };
            Some(regex_lite::Regex::new(&src).ok()?)
        } else {
            None
        };
        let text = if kind == MatchKind::Exact {
            pattern.trim()
        } else {
            pattern
        };
        let text = if case_sensitive {
            text.to_string()
        } else {
            text.to_lowercase()
        };
        Some(Pattern {
            kind,
            text,
            case_sensitive,
            re,
        })
    }

    fn matches(&self, s: &str) -> bool {
        self.matches_folded(s, &Folded::new(s))
    }

    /// [`Pattern::matches`] with `s` lower-cased at most once for all patterns tried.
    fn matches_folded(&self, s: &str, folded: &Folded<'_>) -> bool {
        if let Some(re) = &self.re {
            return re.is_match(s);
        }
        let s = if self.case_sensitive { s } else { folded.get() };
        match self.kind {
            MatchKind::Exact => s.trim() == self.text,
            MatchKind::Prefix => s.trim_start().starts_with(&self.text),
            MatchKind::Contains => s.contains(&self.text),
            MatchKind::Regex => false,
        }
    }
}

/// A text lower-cased when a case-insensitive pattern first asks for it.
struct Folded<'a> {
    text: &'a str,
    lower: std::cell::OnceCell<String>,
}

impl<'a> Folded<'a> {
    fn new(text: &'a str) -> Folded<'a> {
        Folded {
            text,
            lower: std::cell::OnceCell::new(),
        }
    }

    fn get(&self) -> &str {
        self.lower.get_or_init(|| self.text.to_lowercase())
    }
}

/// What kind of event the conversion event is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConversionKind {
    /// An external event record.
    External,
    /// A messaging button reply.
    ButtonReply,
    /// A messaging list reply.
    ListReply,
    /// A messaging text reply.
    TextReply,
}

impl ConversionKind {
    /// The `snake_case` name.
    pub fn as_str(self) -> &'static str {
        match self {
            ConversionKind::External => "external",
            ConversionKind::ButtonReply => "button_reply",
            ConversionKind::ListReply => "list_reply",
            ConversionKind::TextReply => "text_reply",
        }
    }
}

impl From<EventKind> for ConversionKind {
    fn from(k: EventKind) -> Self {
        match k {
            EventKind::ButtonReply => ConversionKind::ButtonReply,
            EventKind::ListReply => ConversionKind::ListReply,
            EventKind::TextReply => ConversionKind::TextReply,
        }
    }
}

/// The event that makes a conversation a lead.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ConversionEvent {
    /// The event's name; `null` for "any external event" (the default when external
    /// events exist and none is configured).
    pub name: Option<String>,
    /// External or which messaging kind.
    pub kind: ConversionKind,
}

impl ConversionEvent {
    /// Whether an event hit named `name` (external when `external`) is this event.
    pub fn is(&self, name: &str, external: bool) -> bool {
        match (self.kind, external) {
            (ConversionKind::External, true) => self.name.as_deref().is_none_or(|n| n == name),
            (ConversionKind::External, false) | (_, true) => false,
            (_, false) => self.name.as_deref() == Some(name),
        }
    }

    /// Whether the conversion event is a messaging event (it has no value: revenue is
    /// `null`).
    pub fn is_messaging(conv: Option<&ConversionEvent>) -> bool {
        conv.is_some_and(|c| c.kind != ConversionKind::External)
    }

    /// Whether an external event named `name` is one of the *attributed events*: those
    /// named by the conversion event when it is external, else every external event.
    pub fn attributes(conv: Option<&ConversionEvent>, name: &str) -> bool {
        match conv {
            Some(c) if c.kind == ConversionKind::External => c.is(name, true),
            _ => true,
        }
    }
}

/// The config's rules and events, compiled: once per engine to match texts as they arrive
/// ([`Matchers::text_token`]), once per report for the conversion event and the replies.
#[derive(Clone, Debug)]
pub(crate) struct Matchers {
    rules: Vec<(Source, Pattern)>,
    events: Vec<(std::sync::Arc<str>, EventKind, Pattern)>,
    /// The conversion event in effect (see the module docs for the default).
    pub(crate) conversion: Option<ConversionEvent>,
}

impl Matchers {
    /// Compile `config`'s rules and events and resolve the conversion event — `chosen`
    /// (a report's choice), else the config's, else the default — against the data in
    /// `store`. Patterns were validated with the config; one that does not compile
    /// (impossible after validation) never matches.
    pub(crate) fn new(config: &Config, store: &Store, chosen: Option<&str>) -> Matchers {
        let rules = config
            .sources
            .iter()
            .filter_map(|r: &SourceRule| {
                let p = Pattern::new(r.match_kind, &r.pattern, r.case_sensitive)?;
                let src = Source {
                    key: r.key.as_str().into(),
                    kind: SourceKind::Custom,
                    direction: SourceDirection::Incoming,
                };
                Some((src, p))
            })
            .collect();
        let events = config
            .events
            .iter()
            .filter_map(|e: &EventDef| {
                Some((
                    e.name.as_str().into(),
                    e.kind,
                    Pattern::new(e.match_kind, &e.pattern, false)?,
                ))
            })
            .collect();
        let conversion = match chosen.or(config.conversion_event.as_deref()) {
            Some(name) => Some(match config.events.iter().find(|e| e.name == name) {
                Some(e) => ConversionEvent {
                    name: Some(name.to_string()),
                    kind: e.kind.into(),
                },
                None => ConversionEvent {
                    name: Some(name.to_string()),
                    kind: ConversionKind::External,
                },
            }),
            None if !store.externals.is_empty() => Some(ConversionEvent {
                name: None,
                kind: ConversionKind::External,
            }),
            None => [
                EventKind::ButtonReply,
                EventKind::ListReply,
                EventKind::TextReply,
            ]
            .into_iter()
            .find_map(|k| {
                config
                    .events
                    .iter()
                    .find(|e| e.kind == k)
                    .map(|e| ConversionEvent {
                        name: Some(e.name.clone()),
                        kind: k.into(),
                    })
            }),
        };
        Matchers {
            rules,
            events,
            conversion,
        }
    }

    /// What a text matched, as the token the store keeps in its place (the config is
    /// fixed for an engine's life, so texts are matched once, when they arrive): `\u{1}`,
    /// the index of the first matching source rule (`-` for none), `;`, and the indices
    /// of the matching text-reply events, comma-separated. `None` when the text matched
    /// nothing: the store then keeps no text at all. It keeps nothing of the text but
    /// those outcomes.
    pub(crate) fn text_token(&self, text: &str) -> Option<String> {
        let folded = Folded::new(text);
        let rule = (self.rules.iter()).position(|(_, p)| p.matches_folded(text, &folded));
        let mut hits = (self.events.iter().enumerate())
            .filter(|(_, (_, k, p))| *k == EventKind::TextReply && p.matches_folded(text, &folded))
            .peekable();
        if rule.is_none() && hits.peek().is_none() {
            return None;
        }
        let mut t = match rule {
            Some(i) => format!("\u{1}{i};"),
            None => "\u{1}-;".to_string(),
        };
        for (n, (i, _)) in hits.enumerate() {
            if n > 0 {
                t.push(',');
            }
            t.push_str(&i.to_string());
        }
        Some(t)
    }

    /// A token as [`Matchers::text_token`] writes it now: `None` for one that matched
    /// nothing (`\u{1}-;`, as pseudonymised engines before schema 6 kept it).
    pub(crate) fn normal_token(token: &str) -> Option<&str> {
        Some(token).filter(|t| *t != "\u{1}-;")
    }

    /// The parts of a text token: the rule index and the event indices.
    fn token_parts(text: &str) -> (Option<usize>, impl Iterator<Item = usize> + '_) {
        let body = text.strip_prefix('\u{1}').unwrap_or("-;");
        let (rule, events) = body.split_once(';').unwrap_or(("-", ""));
        (
            rule.parse().ok(),
            events.split(',').filter_map(|e| e.parse().ok()),
        )
    }

    /// The first custom rule matching an inbound text.
    /// `token` is what the store keeps of the text ([`Matchers::text_token`]).
    pub(crate) fn rule_for(&self, token: &str) -> Option<&Source> {
        let (rule, _) = Matchers::token_parts(token);
        rule.and_then(|i| self.rules.get(i)).map(|(s, _)| s)
    }

    /// The names of the messaging events an inbound message matches, in config order.
    pub(crate) fn events_of<'s>(
        &'s self,
        m: &'s InboundData,
    ) -> impl Iterator<Item = &'s std::sync::Arc<str>> + 's {
        self.events
            .iter()
            .enumerate()
            .filter(move |(i, (_, kind, p))| match kind {
                // The store keeps the token of what a text matched, not the text.
                EventKind::TextReply => {
                    m.ty == InboundType::Text
                        && m.text
                            .as_deref()
                            .is_some_and(|t| Matchers::token_parts(t).1.any(|e| e == *i))
                }
                EventKind::ButtonReply | EventKind::ListReply => reply_matches(*kind, p, m),
            })
            .map(|(_, (n, _, _))| n)
    }

    /// Every configured messaging event: (name, kind), in config order.
    pub(crate) fn messaging_events(&self) -> impl Iterator<Item = (&str, ConversionKind)> + '_ {
        self.events
            .iter()
            .map(|(n, k, _)| (&**n, ConversionKind::from(*k)))
    }
}

/// Whether a button or list reply event matches `m` (text replies are matched when the
/// text arrives: [`Matchers::text_token`]).
fn reply_matches(kind: EventKind, p: &Pattern, m: &InboundData) -> bool {
    let want = match kind {
        EventKind::ButtonReply => ReplyKind::Button,
        EventKind::ListReply => ReplyKind::List,
        EventKind::TextReply => return false,
    };
    m.reply().is_some_and(|r| {
        r.kind == want
            && (r.id.as_deref().is_some_and(|s| p.matches(s))
                || r.title.as_deref().is_some_and(|s| p.matches(s)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Reply;

    fn inbound(ty: InboundType, text: Option<&str>, reply: Option<Reply>) -> InboundData {
        InboundData::new(ty, text.map(Into::into), None, None, reply.map(Into::into))
    }

    #[test]
    fn patterns_match_case_insensitively_unless_asked() {
        let p = Pattern::new(MatchKind::Exact, "  Hello Shop ", false).unwrap();
        assert!(p.matches("hello shop"));
        assert!(p.matches(" HELLO SHOP\n"));
        assert!(!p.matches("hello shop!"));
        let p = Pattern::new(MatchKind::Prefix, "Hi from QR", false).unwrap();
        assert!(p.matches("hi from qr #A17, I want a table"));
        assert!(!p.matches("well, hi from qr"));
        let p = Pattern::new(MatchKind::Contains, "ref=", true).unwrap();
        assert!(p.matches("hello ref=abc"));
        assert!(!p.matches("hello REF=abc"));
        let p = Pattern::new(MatchKind::Regex, r"order #\d+", false).unwrap();
        assert!(p.matches("About ORDER #123 please"));
        assert!(!p.matches("order #x"));
    }

    #[test]
    fn button_events_match_payload_or_title_and_text_events_only_text() {
        let mk = |kind, pattern: &str| {
            Pattern::new(MatchKind::Exact, pattern, false)
                .map(|p| (kind, p))
                .unwrap()
        };
        let button = inbound(
            InboundType::Button,
            None,
            Some(Reply {
                kind: ReplyKind::Button,
                id: Some("BUY_NOW".into()),
                title: Some("Buy now".into()),
            }),
        );
        let list = inbound(
            InboundType::Interactive,
            None,
            Some(Reply {
                kind: ReplyKind::List,
                id: Some("row-2".into()),
                title: Some("Large".into()),
            }),
        );
        let (k, p) = mk(EventKind::ButtonReply, "buy now");
        assert!(reply_matches(k, &p, &button)); // title
        let (k, p) = mk(EventKind::ButtonReply, "buy_now");
        assert!(reply_matches(k, &p, &button)); // payload
        assert!(!reply_matches(k, &p, &list));
        let (k, p) = mk(EventKind::ListReply, "LARGE");
        assert!(reply_matches(k, &p, &list));
        assert!(!reply_matches(k, &p, &button));
        // Text replies are matched when the text arrives; the store keeps the token.
        let cfg = Config {
            events: vec![EventDef {
                name: "bought".into(),
                kind: EventKind::TextReply,
                match_kind: MatchKind::Exact,
                pattern: "buy now".into(),
            }],
            ..Config::default()
        };
        let m = Matchers::new(&cfg, &Store::default(), None);
        let token = m.text_token("Buy now").unwrap();
        assert_eq!(token, "\u{1}-;0"); // no source rule, event 0
        let names =
            |d: &InboundData| -> Vec<String> { m.events_of(d).map(|n| (**n).to_owned()).collect() };
        assert_eq!(
            names(&inbound(InboundType::Text, Some(&token), None)),
            ["bought"]
        );
        // A raw text in the store is not a token: it matches nothing.
        assert!(names(&inbound(InboundType::Text, Some("Buy now"), None)).is_empty());
        assert!(names(&button).is_empty()); // a button press is not a text reply
        let (k, p) = mk(EventKind::TextReply, "buy now");
        assert!(!reply_matches(k, &p, &button));
    }

    #[test]
    fn a_text_that_matches_nothing_leaves_no_token() {
        let cfg = Config {
            sources: vec![SourceRule {
                key: "qr_menu".into(),
                name: None,
                match_kind: MatchKind::Prefix,
                pattern: "menu".into(),
                case_sensitive: false,
            }],
            events: vec![EventDef {
                name: "yes".into(),
                kind: EventKind::TextReply,
                match_kind: MatchKind::Exact,
                pattern: "yes".into(),
            }],
            ..Config::default()
        };
        let m = Matchers::new(&cfg, &Store::default(), None);
        assert_eq!(m.text_token("hello"), None);
        assert_eq!(m.text_token("Menu please").as_deref(), Some("\u{1}0;"));
        assert_eq!(m.text_token(" YES ").as_deref(), Some("\u{1}-;0"));
        assert_eq!(m.rule_for("\u{1}0;").map(|s| &*s.key), Some("qr_menu"));
        assert!(m.rule_for("Menu please").is_none()); // raw texts are never stored
        assert_eq!(Matchers::normal_token("\u{1}-;"), None);
        assert_eq!(Matchers::normal_token("\u{1}-;0"), Some("\u{1}-;0"));
    }

    #[test]
    fn default_conversion_event_follows_seed_order() {
        let mut cfg = Config {
            events: vec![
                EventDef {
                    name: "said_yes".into(),
                    kind: EventKind::TextReply,
                    match_kind: MatchKind::Exact,
                    pattern: "yes".into(),
                },
                EventDef {
                    name: "picked".into(),
                    kind: EventKind::ListReply,
                    match_kind: MatchKind::Exact,
                    pattern: "x".into(),
                },
            ],
            ..Config::default()
        };
        let store = Store::default();
        // No external events, no button event: the list reply comes before the text reply.
        let m = Matchers::new(&cfg, &store, None);
        assert_eq!(
            m.conversion,
            Some(ConversionEvent {
                name: Some("picked".into()),
                kind: ConversionKind::ListReply
            })
        );
        // Configured by name: a messaging event when one has that name, else external.
        cfg.conversion_event = Some("said_yes".into());
        assert_eq!(
            Matchers::new(&cfg, &store, None).conversion.unwrap().kind,
            ConversionKind::TextReply
        );
        cfg.conversion_event = Some("purchase".into());
        let c = Matchers::new(&cfg, &store, None).conversion.unwrap();
        assert_eq!(c.kind, ConversionKind::External);
        assert!(c.is("purchase", true));
        assert!(!c.is("purchase", false));
        assert!(!c.is("refund", true));
        assert!(ConversionEvent::attributes(Some(&c), "purchase"));
        assert!(!ConversionEvent::attributes(Some(&c), "refund"));
        // Nothing configured at all: no conversion event.
        assert_eq!(
            Matchers::new(&Config::default(), &store, None).conversion,
            None
        );
    }

    #[test]
    fn a_text_token_lists_every_text_event_it_matches_and_no_other_event() {
        // Events: 0 "tapped_yes", a button reply whose pattern is also "yes" (a button
        // press, never a text); 1 "said_yes", a text reply exactly "yes"; 2 "agreed", a text
        // reply containing "yes". No source rule.
        let ev = |name: &str, kind, match_kind, pattern: &str| EventDef {
            name: name.into(),
            kind,
            match_kind,
            pattern: pattern.into(),
        };
        let cfg = Config {
            events: vec![
                ev(
                    "tapped_yes",
                    EventKind::ButtonReply,
                    MatchKind::Exact,
                    "yes",
                ),
                ev("said_yes", EventKind::TextReply, MatchKind::Exact, "yes"),
                ev("agreed", EventKind::TextReply, MatchKind::Contains, "yes"),
            ],
            ..Config::default()
        };
        let m = Matchers::new(&cfg, &Store::default(), None);
        // "Yes" matches text events 1 and 2 (case-insensitively), not the button event 0:
        // no rule (`-`), then `1,2`. "oh yes!" only contains "yes": event 2.
        assert_eq!(m.text_token("Yes").as_deref(), Some("\u{1}-;1,2"));
        assert_eq!(m.text_token("oh yes!").as_deref(), Some("\u{1}-;2"));
        let names = |token: &str| -> Vec<String> {
            let d = inbound(InboundType::Text, Some(token), None);
            m.events_of(&d).map(|n| (**n).to_owned()).collect()
        };
        assert_eq!(names("\u{1}-;1,2"), ["said_yes", "agreed"]);
        assert_eq!(names("\u{1}-;2"), ["agreed"]);
        // Every configured messaging event with its kind, in config order.
        assert_eq!(
            m.messaging_events().collect::<Vec<_>>(),
            [
                ("tapped_yes", ConversionKind::ButtonReply),
                ("said_yes", ConversionKind::TextReply),
                ("agreed", ConversionKind::TextReply),
            ]
        );
    }

    #[test]
    fn a_reply_of_the_events_kind_needs_its_payload_or_title_to_match() {
        let p = Pattern::new(MatchKind::Exact, "buy_now", false).unwrap();
        let press = |id: Option<&str>, title: Option<&str>| {
            let reply = Reply {
                kind: ReplyKind::Button,
                id: id.map(Into::into),
                title: title.map(Into::into),
            };
            inbound(InboundType::Button, None, Some(reply))
        };
        // The right kind, but neither payload nor title is "buy_now": no match.
        assert!(!reply_matches(
            EventKind::ButtonReply,
            &p,
            &press(Some("LATER"), Some("Later"))
        ));
        assert!(!reply_matches(
            EventKind::ButtonReply,
            &p,
            &press(None, None)
        ));
        // The payload alone, or the title alone, is enough.
        assert!(reply_matches(
            EventKind::ButtonReply,
            &p,
            &press(Some("BUY_NOW"), None)
        ));
        assert!(reply_matches(
            EventKind::ButtonReply,
            &p,
            &press(None, Some("Buy_Now"))
        ));
    }

    #[test]
    fn which_hits_a_conversion_event_is_and_which_external_events_it_attributes() {
        let button = ConversionEvent {
            name: Some("interested".into()),
            kind: ConversionKind::ButtonReply,
        };
        // A messaging conversion event is the messaging hit of its name, never an external
        // event, even of the same name.
        assert!(button.is("interested", false));
        assert!(!button.is("other", false));
        assert!(!button.is("interested", true));
        assert!(ConversionEvent::is_messaging(Some(&button)));
        // With a messaging conversion event, or none, every external event is attributed.
        assert!(ConversionEvent::attributes(Some(&button), "purchase"));
        assert!(ConversionEvent::attributes(None, "purchase"));
        assert!(!ConversionEvent::is_messaging(None));
        // "Any external event" (no name): every external event, no messaging hit.
        let any = ConversionEvent {
            name: None,
            kind: ConversionKind::External,
        };
        assert!(any.is("purchase", true) && any.is("refund", true));
        assert!(!any.is("purchase", false));
        assert!(ConversionEvent::attributes(Some(&any), "refund"));
        assert!(!ConversionEvent::is_messaging(Some(&any)));
        // The names the report spells, as its JSON does.
        for (k, name) in [
            (ConversionKind::External, "external"),
            (ConversionKind::ButtonReply, "button_reply"),
            (ConversionKind::ListReply, "list_reply"),
            (ConversionKind::TextReply, "text_reply"),
        ] {
            assert_eq!(k.as_str(), name);
            assert_eq!(serde_json::to_value(k).unwrap(), name);
        }
    }
}
