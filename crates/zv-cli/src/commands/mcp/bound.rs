//! What a tool result carries of the gateway's `data`: at most so many records and bytes
//! (saying when it cut), and no character a terminal would obey.

use serde_json::{Value, json};

/// The bounds on one tool result's data.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The most records (items of a list) kept.
    pub max_records: usize,
    /// The most bytes of JSON text kept.
    pub max_bytes: usize,
}

/// `data` within `limits`: each list at most `max_records` items (the top-level list, or
/// the lists among the members of a top-level object), then fewer until its JSON fits in
/// `max_bytes`; with `null` in its place when even that does not fit. Also returns what was
/// cut, `None` when nothing was.
pub fn bound(mut data: Value, limits: Limits) -> (Value, Option<Value>) {
    let mut cut = Vec::new();
    for_each_list(&mut data, &mut |name, list| {
        if list.len() > limits.max_records {
            cut.push(json!({ "list": name, "records": list.len(), "kept": limits.max_records, "why": "--max-records" }));
            list.truncate(limits.max_records);
        }
    });
    let mut size = data.to_string().len();
    while size > limits.max_bytes {
        // Halve the longest list until the text fits, or no list is left to shorten.
        let mut longest: Option<(String, usize)> = None;
        for_each_list(&mut data, &mut |name, list| {
            if !list.is_empty() && longest.as_ref().is_none_or(|(_, n)| list.len() > *n) {
                longest = Some((name.to_owned(), list.len()));
            }
        });
        let Some((name, n)) = longest else { break };
        for_each_list(&mut data, &mut |at, list| {
            if at == name {
                list.truncate(n / 2);
            }
        });
        cut.push(json!({ "list": name, "records": n, "kept": n / 2, "why": "byte bound" }));
        size = data.to_string().len();
    }
    if size > limits.max_bytes {
        cut.push(json!({ "data": size, "kept": 0, "why": format!("data over the {}-byte bound", limits.max_bytes) }));
        data = Value::Null;
    }
    let cut = (!cut.is_empty())
        .then(|| json!({ "max_records": limits.max_records, "max_bytes": limits.max_bytes, "cuts": cut }));
    (data, cut)
}

/// Calls `f` with each list of `data` a record list may be: `data` itself (named `""`), or
/// each list member of a top-level object (named by its member).
fn for_each_list(data: &mut Value, f: &mut impl FnMut(&str, &mut Vec<Value>)) {
    match data {
        Value::Array(list) => f("", list),
        Value::Object(members) => {
            for (name, value) in members.iter_mut() {
                if let Value::Array(list) = value {
                    f(name, list);
                }
            }
        }
        _ => {}
    }
}

/// `value` with every character a terminal would obey (C0 other than JSON's escaped
/// whitespace, DEL, C1, line separators, bidirectional overrides) replaced by U+FFFD, in
/// strings and member names; returns whether it replaced any.
pub fn clean(value: &mut Value) -> bool {
    let fix = |text: &mut String| {
        if text.chars().any(zv_types::text::is_unsafe_char) {
            *text = text
                .chars()
                .map(|c| {
                    if zv_types::text::is_unsafe_char(c) && !matches!(c, '\n' | '\t') {
                        '\u{FFFD}'
                    } else {
                        c
                    }
                })
                .collect();
            true
        } else {
            false
        }
    };
    match value {
        Value::String(text) => fix(text),
        Value::Array(items) => items.iter_mut().fold(false, |any, item| clean(item) | any),
        Value::Object(members) => {
            let mut any = false;
            let old = std::mem::take(members);
            for (mut key, mut item) in old {
                any |= fix(&mut key);
                any |= clean(&mut item);
                members.insert(key, item);
            }
            any
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn lists_are_cut_to_the_record_bound_and_say_so() {
        let limits = Limits { max_records: 2, max_bytes: 10_000 };
        let (data, cut) = bound(json!({"list": [1, 2, 3], "total": 3}), limits);
        assert_eq!(data, json!({"list": [1, 2], "total": 3}));
        assert_eq!(cut.unwrap()["cuts"][0]["records"], 3);
        let (data, cut) = bound(json!([1, 2]), limits);
        assert_eq!((data, cut), (json!([1, 2]), None));
    }

    #[test]
    fn the_byte_bound_halves_lists_then_drops_what_cannot_fit() {
        let limits = Limits { max_records: 1000, max_bytes: 100 };
        let big: Vec<String> = (0..100).map(|i| format!("record-{i}")).collect();
        let (data, cut) = bound(json!(big), limits);
        assert!(data.to_string().len() <= 100);
        assert!(!data.as_array().unwrap().is_empty());
        assert!(cut.is_some());
        let (data, cut) = bound(json!({"blob": "x".repeat(500)}), limits);
        assert_eq!(data, Value::Null);
        assert!(cut.unwrap()["cuts"][0]["why"].as_str().unwrap().contains("100-byte"));
    }

    #[test]
    fn terminal_controls_are_replaced_in_values_and_names() {
        let mut v = json!({"a\u{1b}[2J": ["x\u{9b}31m", "ok\nline"], "b": "\u{202e}txt"});
        assert!(clean(&mut v));
        assert_eq!(v, json!({"a\u{FFFD}[2J": ["x\u{FFFD}31m", "ok\nline"], "b": "\u{FFFD}txt"}));
        assert!(!clean(&mut json!({"plain": "中文"})));
    }
}
