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
        super::from_json_text(&text).map_err(serde::de::Error::custom)
    }
}

/// serde_json's reader of JSON text in this build: its text reader, or in the `compact`
/// build (the .wasm) its byte reader over the text's bytes, the one the input parser uses,
/// so that the module holds one reader and one copy of each type's parser. The same values
/// and errors either way: the bytes are valid UTF-8, so the byte reader's check of each
/// string never fails.
#[cfg(not(feature = "compact"))]
pub(crate) type TextRead<'a> = serde_json::de::StrRead<'a>;
/// See the other build's declaration.
#[cfg(feature = "compact")]
pub(crate) type TextRead<'a> = serde_json::de::SliceRead<'a>;

/// A serde_json deserializer over `text` with this build's [`TextRead`].
pub(crate) fn json_reader(text: &str) -> serde_json::Deserializer<TextRead<'_>> {
    #[cfg(not(feature = "compact"))]
    let de = serde_json::Deserializer::from_str(text);
    #[cfg(feature = "compact")]
    let de = serde_json::Deserializer::from_slice(text.as_bytes());
    de
}

/// `T` read by `de` from `bytes`, the whole document: only whitespace may follow it. On
/// error, the error and the path of the field it is at, in `serde_path_to_error`'s
/// notation (empty for the document itself and for text after it), found from the error's
/// position by [`super::json_path::path_at`]. Nothing is tracked while reading, so each
/// type has one parser, unwrapped.
pub(crate) fn read_with_path<'de, T, R>(
    de: &mut serde_json::Deserializer<R>,
    bytes: &[u8],
) -> Result<T, (serde_json::Error, String)>
where
    T: serde::Deserialize<'de>,
    R: serde_json::de::Read<'de>,
{
    let value = T::deserialize(&mut *de).map_err(|e| {
        let path = super::json_path::path_at(bytes, e.line(), e.column(), &e.to_string());
        (e, path)
    })?;
    de.end().map_err(|e| (e, String::new()))?;
    Ok(value)
}

/// [`read_with_path`] of the JSON `text` through [`json_reader`] (how options and
/// configurations are read).
pub(crate) fn read_text_with_path<T: serde::de::DeserializeOwned>(
    text: &str,
) -> Result<T, (serde_json::Error, String)> {
    read_with_path(&mut json_reader(text), text.as_bytes())
}

/// `T` from the JSON `text`, as `serde_json::from_str` reads it, through [`json_reader`].
pub(crate) fn from_json_text<T: serde::de::DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    let mut de = json_reader(text);
    let value = <T as serde::Deserialize>::deserialize(&mut de)?;
    de.end()?;
    Ok(value)
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
    use crate::util::sort::SortSlice as _;
    use hashbrown::HashMap;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Written as (key, index) pairs sorted by key; `K` is any owned string type
    /// (`Box<str>`, or `Arc<str>` where the key shares its text with a record).
    pub(crate) fn serialize<S: Serializer, K: AsRef<str>>(
        m: &HashMap<K, u32>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let mut v: Vec<(&str, &u32)> = m.iter().map(|(k, i)| (k.as_ref(), i)).collect();
        v.sort_total();
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
