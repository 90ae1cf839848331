//! SDS filter expressions on stream values (`?filter=` of a value read):
//! `Value gt 2.0 and not (State eq 'Bad')`, `year(Time) eq 2024`,
//! `startswith(Name, 'Pump')`.
//!
//! Supported: comparisons `eq ne gt ge lt le`; `and or not` and
//! parentheses; negation `-`; math `add sub mul div mod` and `round floor
//! ceiling`; text functions `startswith endswith contains length indexof
//! substring tolower toupper trim concat replace` (case-sensitive, indexes
//! in characters from 0); DateTime parts `year month day hour minute
//! second` (UTC); TimeSpan parts `days hours minutes seconds`. Literals:
//! numbers, `'text'` (`''` is a quote), `true`, `false`, `null`, DateTimes
//! (`2024-01-01T00:00:00Z`, or `datetime'...'`), TimeSpans (`01:30:00`, or
//! `time'...'`) and GUIDs (bare, or `guid'...'`). Anything else is a parse
//! error that says where, never a filter that quietly matches nothing.
//!
//! A filter is parsed once per request and bounded (`MAX_CHARS`,
//! `MAX_DEPTH`, `MAX_TERMS`, `MAX_TEXT_BYTES`), so hostile text can neither
//! recurse deeply nor make evaluating one value costly.
//!
//! Property names are matched as written, else ignoring ASCII case (as
//! index properties are). A property that is missing, null, an array or an
//! object is null, and null is never a match: `Value eq null` and `Value ne
//! null` are both false, as SDS documents.

mod bounds;
mod eval;
mod grammar;
mod lex;
mod value;

pub use bounds::{FilterError, MAX_CHARS, MAX_DEPTH, MAX_TERMS, MAX_TEXT_BYTES};

use serde_json::Value;

/// A parsed filter expression.
#[derive(Clone, Debug)]
pub struct Filter {
    root: grammar::Expr,
}

impl Filter {
    pub fn parse(text: &str) -> Result<Filter, FilterError> {
        let length = text.chars().count();
        if length > MAX_CHARS {
            return Err(FilterError::at(
                MAX_CHARS,
                format!("a filter may be at most {MAX_CHARS} characters long"),
            ));
        }
        if text.trim().is_empty() {
            return Err(FilterError::at(0, "the filter is empty"));
        }
        let tokens = lex::tokens(text)?;
        let root = grammar::Parser::new(tokens, length).expression()?;
        Ok(Filter { root })
    }

    /// The filter of a request's `filter` parameter: none when absent or
    /// blank (clients send `filter=` for "no filter").
    pub fn optional(text: Option<&str>) -> Result<Option<Filter>, FilterError> {
        match text {
            Some(t) if !t.trim().is_empty() => Filter::parse(t).map(Some),
            _ => Ok(None),
        }
    }

    /// Whether a stored value (a JSON object) matches.
    pub fn matches(&self, value: &Value) -> bool {
        match value {
            Value::Object(event) => eval::holds(&self.root, event),
            _ => false,
        }
    }

    /// Whether a value's stored JSON text matches; text that is not a JSON
    /// object does not.
    pub fn matches_json(&self, json: &[u8]) -> bool {
        serde_json::from_slice::<Value>(json).is_ok_and(|v| self.matches(&v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn events() -> Vec<Value> {
        vec![
            json!({"Time": "2024-01-01T00:00:00Z", "Value": 1.0, "State": "Good", "Count": 3, "On": true, "Span": "01:30:00"}),
            json!({"Time": "2024-01-01T01:00:00+01:00", "Value": 5.5, "State": "Bad", "Count": -2, "On": false}),
            json!({"Time": "2024-06-15T12:34:56Z", "Value": 9, "State": "Pump 'A'", "Count": 7, "Span": "2.00:00:01"}),
            json!({"Time": "2025-03-01T00:00:00Z", "Value": null, "State": "good ", "Count": 18446744073709551615u64}),
        ]
    }

    /// The positions (0-based) of the events `filter` keeps.
    fn kept(filter: &str) -> Vec<usize> {
        let f = Filter::parse(filter).unwrap_or_else(|e| panic!("{filter}: {e}"));
        events()
            .iter()
            .enumerate()
            .filter(|(_, e)| f.matches(e))
            .map(|(i, _)| i)
            .collect()
    }

    #[test]
    fn comparisons_and_logic() {
        assert_eq!(kept("Value eq 1.0"), vec![0]);
        assert_eq!(kept("Value eq 9"), vec![2]);
        assert_eq!(kept("Value ne 1"), vec![1, 2]);
        assert_eq!(kept("Value gt 2.0 and Value lt 9.0"), vec![1]);
        assert_eq!(kept("Value gt 6.0 or Value lt 2.0"), vec![0, 2]);
        assert_eq!(kept("not (Value eq 1.0)"), vec![1, 2, 3]);
        assert_eq!(kept("not Value eq 1.0"), vec![1, 2, 3]);
        assert_eq!(kept("Count le -2"), vec![1]);
        assert_eq!(kept("Count eq 18446744073709551615"), vec![3]);
        assert_eq!(kept("On"), vec![0]);
        assert_eq!(kept("On eq false"), vec![1]);
        assert_eq!(kept("State eq 'Pump ''A'''"), vec![2]);
        assert_eq!(kept("State gt 'Good'"), vec![2, 3]);
        assert_eq!(
            kept("(Value lt 2 or Value gt 8) and (State eq 'Good' or Count gt 5)"),
            vec![0, 2]
        );
        // `and` binds tighter than `or`.
        assert_eq!(kept("Value eq 9 or Value eq 1 and State eq 'Bad'"), vec![2]);
    }

    #[test]
    fn keywords_and_property_names_are_read_in_any_case() {
        assert_eq!(kept("value GT 5 AND state Eq 'Bad'"), vec![1]);
        assert_eq!(kept("NOT (VALUE le 5.5)"), vec![2, 3]);
    }

    #[test]
    fn null_and_missing_are_never_a_match() {
        assert_eq!(kept("Value eq null"), Vec::<usize>::new());
        assert_eq!(kept("Value ne null"), Vec::<usize>::new());
        assert_eq!(kept("Missing eq 1 or Missing ne 1"), Vec::<usize>::new());
        assert_eq!(kept("not (Missing eq 1)"), vec![0, 1, 2, 3]);
        // Different kinds never compare.
        assert_eq!(kept("State eq 1"), Vec::<usize>::new());
    }

    #[test]
    fn times_compare_as_instants() {
        assert_eq!(kept("Time eq 2024-01-01T00:00:00Z"), vec![0, 1]);
        assert_eq!(kept("Time gt 2024-01-01T00:00:00Z"), vec![2, 3]);
        assert_eq!(kept("Time lt 2024-06-15"), vec![0, 1]);
        assert_eq!(kept("Time ge datetime'2024-06-15T12:34:56'"), vec![2, 3]);
        assert_eq!(
            kept("Time eq '2024-01-01T02:00:00+02:00'"),
            Vec::<usize>::new()
        );
        assert_eq!(kept("year(Time) eq 2024"), vec![0, 1, 2]);
        assert_eq!(kept("month(Time) eq 6 and day(Time) eq 15"), vec![2]);
        assert_eq!(
            kept("hour(Time) eq 12 and minute(Time) eq 34 and second(Time) eq 56"),
            vec![2]
        );
    }

    #[test]
    fn math_functions() {
        assert_eq!(kept("Value eq (6.0 sub 0.5)"), vec![1]);
        assert_eq!(kept("Value eq (3 mul 3)"), vec![2]);
        assert_eq!(kept("Value add 1 eq 10"), vec![2]);
        assert_eq!(kept("Value div 2 eq 4.5"), vec![2]);
        assert_eq!(kept("Count mod 2 eq 1"), vec![0, 2, 3]);
        assert_eq!(kept("round(Value) eq 6"), vec![1]);
        assert_eq!(kept("floor(Value) eq 5"), vec![1]);
        assert_eq!(kept("ceiling(Value) eq 6"), vec![1]);
        assert_eq!(kept("-Count eq 2"), vec![1]);
        assert_eq!(kept("Value div 0 eq 1"), Vec::<usize>::new());
        // UInt64's largest squared overflows: no answer, no match.
        assert_eq!(kept("Count mul Count gt 0"), vec![0, 1, 2]);
    }

    #[test]
    fn text_functions() {
        assert_eq!(kept("startswith(State, 'Pump')"), vec![2]);
        assert_eq!(kept("endswith(State, 'od')"), vec![0]);
        assert_eq!(kept("contains(State, 'oo')"), vec![0, 3]);
        assert_eq!(kept("length(State) eq 4"), vec![0]);
        assert_eq!(kept("indexof(State, 'a') eq 1"), vec![1]);
        assert_eq!(kept("indexof(State, 'zz') eq -1"), vec![0, 1, 2, 3]);
        assert_eq!(kept("substring(State, 5) eq '''A'''"), vec![2]);
        assert_eq!(kept("substring(State, 0, 2) eq 'Go'"), vec![0]);
        assert_eq!(kept("substring(State, 9) eq ''"), Vec::<usize>::new());
        assert_eq!(kept("tolower(State) eq 'good'"), vec![0]);
        assert_eq!(kept("toupper(State) eq 'BAD'"), vec![1]);
        assert_eq!(kept("trim(State) eq 'good'"), vec![3]);
        assert_eq!(kept("concat(State, '!') eq 'Bad!'"), vec![1]);
        assert_eq!(kept("replace(State, 'G', 'H') eq 'Hood'"), vec![0]);
        assert_eq!(
            kept("replace(State, '', 'x') eq 'Good'"),
            Vec::<usize>::new()
        );
    }

    #[test]
    fn timespans_and_guids() {
        assert_eq!(kept("hours(Span) eq 1 and minutes(Span) eq 30"), vec![0]);
        assert_eq!(kept("days(Span) eq 2 and seconds(Span) eq 1"), vec![2]);
        assert_eq!(kept("Span gt 01:00:00"), vec![0, 2]);
        let f = Filter::parse("Id eq 6f9619ff-8b86-d011-b42d-00c04fc964ff").unwrap();
        assert!(f.matches(&json!({"Id": "6F9619FF-8B86-D011-B42D-00C04FC964FF"})));
        assert!(!f.matches(&json!({"Id": "00000000-0000-0000-0000-000000000000"})));
        let f = Filter::parse("Id eq guid'6f9619ff-8b86-d011-b42d-00c04fc964ff'").unwrap();
        assert!(f.matches(&json!({"Id": "6f9619ff-8b86-d011-b42d-00c04fc964ff"})));
    }

    #[test]
    fn stored_text_is_read_once_and_non_objects_never_match() {
        let f = Filter::parse("Value gt 1").unwrap();
        assert!(f.matches_json(br#"{"Value": 2}"#));
        assert!(!f.matches_json(br#"{"Value": 0}"#));
        assert!(!f.matches_json(b"[1, 2]"));
        assert!(!f.matches_json(b"not json"));
        assert!(!f.matches(&json!(5)));
    }

    fn refused(filter: &str) -> FilterError {
        Filter::parse(filter).expect_err(filter)
    }

    #[test]
    fn errors_say_where_and_why() {
        let e = refused("Value gt");
        assert_eq!(e.position, 8);
        assert!(e.reason.contains("found the end"), "{e}");
        let e = refused("Value gt 1 Value");
        assert_eq!(e.position, 11);
        let e = refused("(Value gt 1");
        assert!(e.reason.contains("')'"), "{e}");
        let e = refused("'a' gt 1");
        assert!(
            e.reason.contains("cannot compare text with a number"),
            "{e}"
        );
        let e = refused("1 and Value");
        assert!(
            e.reason.contains("expected a condition, found a number"),
            "{e}"
        );
        let e = refused("Value add 'x' eq 1");
        assert_eq!(e.position, 10);
        assert!(refused("years(Span) eq 1").reason.contains("not supported"));
        assert!(refused("soundex(Name) eq 'x'")
            .reason
            .contains("not a function"));
        assert!(refused("startswith(Name)")
            .reason
            .contains("takes 2 arguments"));
        assert!(refused("length(Name, 'x') eq 1")
            .reason
            .contains("at most 1"));
        assert!(refused("Value eq 1.2.3").reason.contains("'1.2.3'"));
        assert!(refused("Value eq 2024-13-01").reason.contains("2024-13-01"));
        assert!(refused("Value eq and").reason.contains("'and'"));
        assert!(refused("Time gt datetime'yesterday'")
            .reason
            .contains("DateTime"));
        assert!(refused("Value eq 1 ;").reason.contains("';'"));
        assert_eq!(refused("   ").reason, "the filter is empty");
        assert_eq!(
            refused("Value eq 'x").to_string(),
            "this quoted text has no closing quote (write '' for a quote inside it) (at character 10)"
        );
    }

    #[test]
    fn hostile_filters_are_refused_by_their_bounds() {
        let long = format!("Value eq '{}'", "x".repeat(MAX_CHARS));
        assert!(refused(&long).reason.contains("at most 2000 characters"));
        let deep = format!("{}Value eq 1{}", "(".repeat(40), ")".repeat(40));
        assert!(refused(&deep).reason.contains("nests more than 32"));
        let nots = format!("{}Value eq 1", "not ".repeat(33));
        assert!(refused(&nots).reason.contains("nests more than 32"));
        let negs = format!("Value eq {}1", "-".repeat(33));
        assert!(refused(&negs).reason.contains("nests more than 32"));
        let calls = format!("{}State{} eq 'x'", "trim(".repeat(33), ")".repeat(33));
        assert!(refused(&calls).reason.contains("nests more than 32"));
        let many = vec!["Value eq 1"; 51].join(" or ");
        assert!(refused(&many).reason.contains("more than 100 values"));
        // Just inside the bounds: parsed, and cheap to evaluate.
        let deep = format!("{}Value eq 1{}", "(".repeat(31), ")".repeat(31));
        assert_eq!(kept(&deep), vec![0]);
        let many = vec!["Value eq 1"; 50].join(" or ");
        assert_eq!(kept(&many), vec![0]);
        // Text cannot be grown without bound by nesting.
        let grow = format!(
            "length({}State{}) gt 0",
            "replace(".repeat(30),
            ", 'o', 'oooooooooooooooo')".repeat(30)
        );
        let f = Filter::parse(&grow).unwrap();
        let started = std::time::Instant::now();
        assert!(!f.matches(&json!({"State": "Good"})));
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn a_blank_filter_parameter_is_no_filter() {
        assert!(Filter::optional(None).unwrap().is_none());
        assert!(Filter::optional(Some("  ")).unwrap().is_none());
        assert!(Filter::optional(Some("Value gt 1")).unwrap().is_some());
        assert!(Filter::optional(Some("Value gt")).is_err());
    }
}
