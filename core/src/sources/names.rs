//! Display names of sources (the rules are in the module docs of [`crate::sources`](crate::guide::sources)).

use super::spend::spend_names;
use crate::scope::Scope;
use crate::util::sorted_map::Map;

/// Display names (rules in the module docs).
pub(crate) struct Names<'a> {
    config: &'a crate::config::Config,
    spend: Map<String, String>,
}

impl<'a> Names<'a> {
    pub(crate) fn new(ctx: &Scope<'a>) -> Names<'a> {
        Names {
            config: ctx.config,
            spend: spend_names(ctx.store),
        }
    }

    pub(crate) fn name(&self, key: &str, headline: Option<&str>) -> String {
        if let Some(n) = self.config.source_names.get(key) {
            return n.clone();
        }
        if let Some(n) = self
            .config
            .sources
            .iter()
            .find(|r| r.key == key)
            .and_then(|r| r.name.clone())
        {
            return n;
        }
        if let Some(n) = self.spend.get(key) {
            return n.clone();
        }
        if let Some(h) = headline.filter(|h| !h.trim().is_empty()) {
            return h.to_string();
        }
        if key == "direct" {
            return "Direct".into();
        }
        key.strip_prefix("campaign:")
            .or_else(|| key.strip_prefix("template:"))
            .unwrap_or(key)
            .to_string()
    }
}
