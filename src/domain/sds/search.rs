//! Stream search queries, as the community search takes them: words match
//! Id, Name or Description (case-insensitive, `*` as a wildcard); a word
//! `Field:value` matches that field only. Every word must match.

/// The searchable text of one stream.
pub struct Searchable<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub type_id: &'a str,
}

pub fn matches(query: &str, stream: &Searchable) -> bool {
    query
        .split_whitespace()
        .filter(|w| !w.eq_ignore_ascii_case("AND"))
        .all(|word| word_matches(word, stream))
}

fn word_matches(word: &str, s: &Searchable) -> bool {
    let word = word.trim_matches('"');
    if let Some((field, value)) = word.split_once(':') {
        let value = value.trim_matches('"');
        let target = match field.to_ascii_lowercase().as_str() {
            "id" => Some(s.id),
            "name" => Some(s.name),
            "description" => Some(s.description),
            "typeid" => Some(s.type_id),
            _ => None,
        };
        if let Some(target) = target {
            return wildcard(value, target, false);
        }
    }
    [s.id, s.name, s.description]
        .iter()
        .any(|t| wildcard(word, t, true))
}

/// `*` matches any run of characters; without one, a field match is
/// whole-value and a free word matches anywhere in the text.
fn wildcard(pattern: &str, text: &str, anywhere: bool) -> bool {
    let pattern = pattern.to_lowercase();
    let text = text.to_lowercase();
    if !pattern.contains('*') {
        return if anywhere {
            text.contains(&pattern)
        } else {
            text == pattern
        };
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut rest = text.as_str();
    for (i, part) in parts.iter().enumerate() {
        if part.is_empty() {
            continue;
        }
        match rest.find(part) {
            Some(0) => rest = &rest[part.len()..],
            Some(at) if i > 0 => rest = &rest[at + part.len()..],
            _ => return false,
        }
    }
    parts.last().is_some_and(|p| p.is_empty()) || rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s() -> Searchable<'static> {
        Searchable {
            id: "WaveData_SampleStream",
            name: "WaveStreamPySample",
            description: "A Stream to store the WaveData events",
            type_id: "WaveData_SampleType",
        }
    }

    #[test]
    fn queries_match_words_fields_and_wildcards() {
        assert!(matches("", &s()));
        assert!(matches("WaveData_SampleStream", &s()));
        assert!(matches("store", &s()));
        assert!(matches("id:wavedata_samplestream", &s()));
        assert!(!matches("id:wavedata", &s()));
        assert!(matches("id:wave*", &s()));
        assert!(matches("name:*Py*", &s()));
        assert!(!matches("pump", &s()));
        assert!(!matches("store pump", &s()));
        assert!(matches("typeid:WaveData_SampleType", &s()));
    }
}
