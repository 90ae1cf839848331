//! Stream search queries, as the community search takes them: words match
//! Id, Name or Description (case-insensitive, `*` as a wildcard); a word
//! `Field:value` matches that field only. Every word must match.
//!
//! A query is read once into its terms, lower-cased and split at their
//! wildcards, and bounded in length and terms: a search walks every stream
//! of a namespace (or every share of a community), and lower-casing each
//! word again for each field of each stream made one long query cost
//! seconds of CPU.

use memchr::memmem::Finder;

/// The longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// The most words in a query (`AND` not counted).
pub const MAX_TERMS: usize = 20;

/// The searchable text of one stream.
pub struct Searchable<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub type_id: &'a str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("must be at most {MAX_QUERY_CHARS} characters")]
    TooLong,
    #[error("must have at most {MAX_TERMS} words")]
    TooManyTerms,
}

/// A parsed query: every term must match.
#[derive(Clone, Debug, Default)]
pub struct SearchQuery {
    terms: Vec<Term>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Id,
    Name,
    Description,
    TypeId,
}

#[derive(Clone, Debug)]
struct Term {
    /// None: Id, Name or Description, anywhere in the text.
    field: Option<Field>,
    pattern: Pattern,
}

/// Lower-cased text; with wildcards, the pieces between them. Each text
/// to find is a searcher made once per query, not once per comparison.
#[derive(Clone, Debug)]
enum Pattern {
    Plain(Box<Finder<'static>>),
    Wild(Vec<Finder<'static>>),
}

impl SearchQuery {
    pub fn parse(text: &str) -> Result<Self, QueryError> {
        if text.chars().nth(MAX_QUERY_CHARS).is_some() {
            return Err(QueryError::TooLong);
        }
        let words = text
            .split_whitespace()
            .filter(|w| !w.eq_ignore_ascii_case("AND"));
        let mut terms = Vec::new();
        for word in words {
            if terms.len() == MAX_TERMS {
                return Err(QueryError::TooManyTerms);
            }
            terms.push(Term::parse(word));
        }
        Ok(Self { terms })
    }

    pub fn matches(&self, stream: &Searchable) -> bool {
        if self.terms.is_empty() {
            return true;
        }
        let lowered = Lowered::of(stream);
        self.terms.iter().all(|t| t.matches(&lowered))
    }
}

impl Term {
    fn parse(word: &str) -> Self {
        let word = word.trim_matches('"');
        if let Some((field, value)) = word.split_once(':') {
            let field = match field.to_ascii_lowercase().as_str() {
                "id" => Some(Field::Id),
                "name" => Some(Field::Name),
                "description" => Some(Field::Description),
                "typeid" => Some(Field::TypeId),
                _ => None,
            };
            if field.is_some() {
                return Self {
                    field,
                    pattern: Pattern::of(value.trim_matches('"')),
                };
            }
        }
        Self {
            field: None,
            pattern: Pattern::of(word),
        }
    }

    fn matches(&self, s: &Lowered) -> bool {
        match self.field {
            Some(field) => self.pattern.matches(s.field(field), false),
            None => [&s.id, &s.name, &s.description]
                .iter()
                .any(|t| self.pattern.matches(t, true)),
        }
    }
}

impl Pattern {
    fn of(text: &str) -> Self {
        let text = text.to_lowercase();
        let finder = |piece: &str| Finder::new(piece.as_bytes()).into_owned();
        if text.contains('*') {
            Pattern::Wild(text.split('*').map(finder).collect())
        } else {
            Pattern::Plain(Box::new(finder(&text)))
        }
    }

    /// `*` matches any run of characters; without one, a field match is
    /// whole-value and a free word matches anywhere in the text.
    fn matches(&self, text: &str, anywhere: bool) -> bool {
        match self {
            Pattern::Plain(p) if anywhere => p.find(text.as_bytes()).is_some(),
            Pattern::Plain(p) => text.as_bytes() == p.needle(),
            Pattern::Wild(pieces) => glob(pieces, text.as_bytes()),
        }
    }
}

/// Whether `text` is the first piece, then each middle piece in order with
/// anything between, then the last piece (at least two pieces).
fn glob(pieces: &[Finder<'static>], text: &[u8]) -> bool {
    let (Some((first, rest)), Some(last)) = (pieces.split_first(), pieces.last()) else {
        return true;
    };
    let middle = &rest[..rest.len().saturating_sub(1)];
    let Some(mut text) = text.strip_prefix(first.needle()) else {
        return false;
    };
    let Some(inner) = text.strip_suffix(last.needle()) else {
        return false;
    };
    text = inner;
    for piece in middle.iter().filter(|p| !p.needle().is_empty()) {
        match piece.find(text) {
            Some(at) => text = &text[at + piece.needle().len()..],
            None => return false,
        }
    }
    true
}

/// A stream's searchable text, lower-cased once for all terms.
struct Lowered {
    id: String,
    name: String,
    description: String,
    type_id: String,
}

impl Lowered {
    fn of(s: &Searchable) -> Self {
        Self {
            id: s.id.to_lowercase(),
            name: s.name.to_lowercase(),
            description: s.description.to_lowercase(),
            type_id: s.type_id.to_lowercase(),
        }
    }

    fn field(&self, field: Field) -> &str {
        match field {
            Field::Id => &self.id,
            Field::Name => &self.name,
            Field::Description => &self.description,
            Field::TypeId => &self.type_id,
        }
    }
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

    fn matches(query: &str, s: &Searchable) -> bool {
        SearchQuery::parse(query).expect("a query").matches(s)
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
        assert!(matches("store AND wave*", &s()));
    }

    #[test]
    fn a_wildcard_anchors_its_ends_wherever_the_pieces_repeat() {
        // The last piece is a suffix even when it also occurs earlier.
        assert!(matches("id:*stream", &s()));
        assert!(matches("description:*s", &s()));
        assert!(matches("name:*e", &s()));
        assert!(matches("id:*a*stream", &s()));
        assert!(matches("id:w*e*m", &s()));
        assert!(!matches("id:*sample", &s()));
        assert!(!matches("id:stream*", &s()));
        // Prefix and suffix may not overlap.
        assert!(!matches("id:wavedata_samplestream*stream", &s()));
        assert!(matches("id:*", &s()));
    }

    #[test]
    fn long_queries_and_many_words_are_refused() {
        let longest = "a".repeat(MAX_QUERY_CHARS);
        assert!(SearchQuery::parse(&longest).is_ok());
        assert_eq!(
            SearchQuery::parse(&format!("{longest}a")).err(),
            Some(QueryError::TooLong)
        );
        let most = vec!["w"; MAX_TERMS].join(" AND ");
        assert!(SearchQuery::parse(&most).is_ok());
        assert_eq!(
            SearchQuery::parse(&format!("{most} w")).err(),
            Some(QueryError::TooManyTerms)
        );
    }
}
