//! Serde helpers shared by the state types that snapshots carry.

/// A value serialised as its JSON text (keeps untagged and internally tagged forms, which
/// `postcard` cannot carry).
pub(crate) mod as_json {
    use serde::de::DeserializeOwned;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(crate) fn serialize<T: Serialize, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        let text = serde_json::to_string(v).map_err(serde::ser::Error::custom)?;
        s.serialize_str(&text)
    }

    pub(crate) fn deserialize<'de, T: DeserializeOwned, D: Deserializer<'de>>(
        d: D,
    ) -> Result<T, D::Error> {
        let text = String::deserialize(d)?;
        serde_json::from_str(&text).map_err(serde::de::Error::custom)
    }
}

/// A time zone serialised as its IANA name.
pub(crate) mod tz_name {
    use chrono_tz::Tz;
    use serde::{Deserialize, Deserializer, Serializer};

    #[allow(clippy::trivially_copy_pass_by_ref)] // serde's `with` signature
    pub(crate) fn serialize<S: Serializer>(tz: &Tz, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(tz.name())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Tz, D::Error> {
        let name = String::deserialize(d)?;
        super::super::time::parse_tz(&name).map_err(serde::de::Error::custom)
    }
}

/// Hash maps serialised as sorted sequences, so snapshots are byte-for-byte deterministic.
pub(crate) mod sorted_map {
    use hashbrown::HashMap;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Written as (key, index) pairs sorted by key; `K` is any owned string type
    /// (`Box<str>`, or `Arc<str>` where the key shares its text with a record).
    pub(crate) fn serialize<S: Serializer, K: AsRef<str>>(
        m: &HashMap<K, u32>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let mut v: Vec<(&str, &u32)> = m.iter().map(|(k, i)| (k.as_ref(), i)).collect();
        v.sort_unstable();
        v.serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>, K>(
        d: D,
    ) -> Result<HashMap<K, u32>, D::Error>
    where
        K: std::hash::Hash + Eq + From<Box<str>>,
    {
        let v: Vec<(Box<str>, u32)> = Vec::deserialize(d)?;
        Ok(v.into_iter().map(|(k, i)| (K::from(k), i)).collect())
    }
}
