//! OSV range evaluation (types `ECOSYSTEM` and `SEMVER`).
//!
//! A range is a list of events. Sorted by version, they switch "affected"
//! on (`introduced`, inclusive) and off (`fixed`, exclusive;
//! `last_affected`, inclusive), and `limit` events bound the whole range
//! from above, as the OSV schema's evaluation algorithm describes.

use std::cmp::Ordering;

use crate::{ParseError, Scheme, Version};

/// One event of a range, with its version parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The first affected version; `None` is OSV's `"0"`: since forever.
    Introduced(Option<Version>),
    /// The first version that is no longer affected.
    Fixed(Version),
    /// The last affected version.
    LastAffected(Version),
    /// An upper bound of the range; `None` is OSV's `"*"`.
    Limit(Option<Version>),
}

impl Event {
    /// The event's version, `None` for `introduced: "0"` and `limit: "*"`.
    pub fn version(&self) -> Option<&Version> {
        match self {
            Event::Introduced(v) | Event::Limit(v) => v.as_ref(),
            Event::Fixed(v) | Event::LastAffected(v) => Some(v),
        }
    }

    /// Orders events by version: `"0"` before everything, `"*"` after.
    fn sort_cmp(&self, other: &Event) -> Ordering {
        fn key(e: &Event) -> (u8, Option<&Version>) {
            match e {
                Event::Introduced(None) => (0, None),
                Event::Limit(None) => (2, None),
                other => (1, other.version()),
            }
        }
        key(self).cmp(&key(other))
    }
}

/// An event that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    /// An event's version is not valid in the scheme.
    #[error("range event `{kind}`: {source}")]
    Version {
        /// The event kind (`introduced`, `fixed`, ...).
        kind: String,
        /// The parse error.
        #[source]
        source: ParseError,
    },
    /// An event kind OSV does not define.
    #[error("unknown range event `{0}`")]
    UnknownEvent(String),
}

/// A parsed, sorted OSV range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    events: Vec<Event>,
}

impl Range {
    /// Reads a range from `(kind, version)` event pairs as OSV writes them
    /// (`("introduced", "0")`, `("fixed", "1.2.3")`, ...).
    pub fn parse<'a>(
        scheme: Scheme,
        events: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Range, RangeError> {
        let parse = |kind: &str, v: &str| {
            scheme.parse(v).map_err(|source| RangeError::Version {
                kind: kind.to_string(),
                source,
            })
        };
        let mut out = Vec::new();
        for (kind, v) in events {
            let v = v.trim();
            let event = match kind {
                "introduced" if v == "0" => Event::Introduced(None),
                "introduced" => Event::Introduced(Some(parse(kind, v)?)),
                "fixed" => Event::Fixed(parse(kind, v)?),
                "last_affected" => Event::LastAffected(parse(kind, v)?),
                "limit" if v == "*" => Event::Limit(None),
                "limit" => Event::Limit(Some(parse(kind, v)?)),
                other => return Err(RangeError::UnknownEvent(other.to_string())),
            };
            out.push(event);
        }
        Ok(Range::new(out))
    }

    /// A range from already parsed events.
    pub fn new(mut events: Vec<Event>) -> Range {
        events.sort_by(Event::sort_cmp);
        Range { events }
    }

    /// The events, sorted by version.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Whether `v` is inside the range.
    pub fn contains(&self, v: &Version) -> bool {
        let limits: Vec<&Event> = self
            .events
            .iter()
            .filter(|e| matches!(e, Event::Limit(_)))
            .collect();
        if !limits.is_empty() {
            let below_a_limit = limits.iter().any(|e| match e.version() {
                None => true,
                Some(l) => v < l,
            });
            if !below_a_limit {
                return false;
            }
        }
        let mut affected = false;
        for e in &self.events {
            match e {
                Event::Introduced(None) => affected = true,
                Event::Introduced(Some(i)) if v >= i => affected = true,
                Event::Fixed(f) if v >= f => affected = false,
                Event::LastAffected(l) if v > l => affected = false,
                _ => {}
            }
        }
        affected
    }

    /// The `fixed` versions of this range above `v`, in ascending order.
    pub fn fixes_above<'a>(&'a self, v: &'a Version) -> impl Iterator<Item = &'a Version> + 'a {
        self.events.iter().filter_map(move |e| match e {
            Event::Fixed(f) if f > v => Some(f),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(events: &[(&str, &str)]) -> Range {
        Range::parse(Scheme::Dpkg, events.iter().copied()).expect("test range parses")
    }

    fn v(s: &str) -> Version {
        Scheme::Dpkg.parse(s).expect("test version parses")
    }

    #[test]
    fn introduced_and_fixed() {
        let r = range(&[("introduced", "1.0"), ("fixed", "1.5")]);
        assert!(!r.contains(&v("0.9")));
        assert!(r.contains(&v("1.0")));
        assert!(r.contains(&v("1.4.9")));
        assert!(!r.contains(&v("1.5")));
        assert!(!r.contains(&v("2.0")));
    }

    #[test]
    fn zero_means_since_forever_and_events_are_sorted() {
        let r = range(&[
            ("fixed", "2.0"),
            ("introduced", "0"),
            ("fixed", "4.0"),
            ("introduced", "3.0"),
        ]);
        assert!(r.contains(&v("0.0.1")));
        assert!(!r.contains(&v("2.5")));
        assert!(r.contains(&v("3.1")));
        assert!(!r.contains(&v("4.0")));
        let one = v("1.0");
        let fixes: Vec<_> = r.fixes_above(&one).map(|f| f.as_str()).collect();
        assert_eq!(fixes, ["2.0", "4.0"]);
    }

    #[test]
    fn last_affected_is_inclusive() {
        let r = range(&[("introduced", "0"), ("last_affected", "1.2")]);
        assert!(r.contains(&v("1.2")));
        assert!(!r.contains(&v("1.2.1")));
    }

    #[test]
    fn limits_bound_the_range() {
        let r = range(&[("introduced", "0"), ("limit", "1.5")]);
        assert!(r.contains(&v("1.4")));
        assert!(!r.contains(&v("1.5")));
        let r = range(&[("introduced", "1.0"), ("limit", "*")]);
        assert!(r.contains(&v("99")));
    }

    #[test]
    fn bad_events_are_errors() {
        assert!(matches!(
            Range::parse(Scheme::Dpkg, [("broken", "1.0")]),
            Err(RangeError::UnknownEvent(_))
        ));
        assert!(matches!(
            Range::parse(Scheme::Dpkg, [("fixed", "1.0 beta")]),
            Err(RangeError::Version { .. })
        ));
    }
}
