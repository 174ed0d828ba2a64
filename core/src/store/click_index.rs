//! Clicks by the message they name: an index kept beside the clicks, so that folding a
//! few users again finds their clicks without reading every click (issue 17). Derived
//! from the facts, never in snapshots: built on first use after a restore, an expiry or an
//! erasure, then kept up to date click by click.

use super::{Store, UserIx};
use crate::model::Direction;
use hashbrown::HashMap;
use smallvec::SmallVec;

/// Message id → the keys of the clicks naming it, in key order.
type ByMessage = HashMap<Box<str>, SmallVec<[Box<str>; 1]>>;

/// The index; `None` until built.
#[derive(Clone, Debug, Default)]
pub(crate) struct ClickIndex(Option<ByMessage>);

/// An index is bookkeeping, not state: stores with the same facts are equal.
impl PartialEq for ClickIndex {
    fn eq(&self, _: &ClickIndex) -> bool {
        true
    }
}

impl Store {
    /// Forget the index (clicks were removed in bulk); the next click rebuilds it.
    pub(crate) fn drop_click_index(&mut self) {
        self.click_index.0 = None;
    }

    /// Note that click `key` now names `message_id` (it named `old` before, if it existed).
    pub(crate) fn index_click(&mut self, key: &str, old: Option<&str>, message_id: &str) {
        if self.click_index.0.is_none() {
            let mut ix = ByMessage::new();
            for (k, c) in &self.clicks {
                ix.entry(c.message_id.clone())
                    .or_default()
                    .push(k.as_str().into());
            }
            self.click_index.0 = Some(ix);
        }
        let Some(ix) = self.click_index.0.as_mut() else {
            return;
        };
        if let Some(old) = old.filter(|o| *o != message_id) {
            if let Some(keys) = ix.get_mut(old) {
                keys.retain(|k| &**k != key);
                if keys.is_empty() {
                    ix.remove(old);
                }
            }
        }
        let keys = ix.entry(message_id.into()).or_default();
        if let Err(i) = keys.binary_search_by(|k| (**k).cmp(key)) {
            keys.insert(i, key.into());
        }
    }

    /// The buttons clicked on the business messages of the representatives `users`, by
    /// message, each message's in click-key order (as a scan of every click gives them);
    /// `None` when the index is not built.
    pub(crate) fn clicks_of(&self, users: &[UserIx]) -> Option<HashMap<super::MsgIx, Vec<&str>>> {
        let ix = self.click_index.0.as_ref()?;
        let mut out: HashMap<super::MsgIx, Vec<&str>> = HashMap::new();
        for &u in users {
            for &m in &self.users[u as usize].timeline {
                let msg = &self.msgs[m as usize];
                if msg.dir != Direction::Outbound {
                    continue;
                }
                for key in ix.get(&*msg.id).into_iter().flatten() {
                    if let Some(c) = self.clicks.get(&**key) {
                        out.entry(m).or_default().push(&c.button);
                    }
                }
            }
        }
        Some(out)
    }
}
