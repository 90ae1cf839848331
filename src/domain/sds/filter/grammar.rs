//! The grammar of a filter expression, read once into a tree:
//!
//! ```text
//! or       := and ('or' and)*
//! and      := not ('and' not)*
//! not      := 'not' not | compare
//! compare  := sum (('eq'|'ne'|'gt'|'ge'|'lt'|'le') sum)?
//! sum      := product (('add'|'sub') product)*
//! product  := negation (('mul'|'div'|'mod') negation)*
//! negation := '-' negation | primary
//! primary  := literal | property | function '(' args ')' | '(' or ')'
//! ```
//!
//! Keywords and function names are read in any case. Each nesting (a
//! parenthesis, a call, `not`, `-`) counts towards `MAX_DEPTH`, each
//! operand (literal or property) towards `MAX_TERMS`: the tree's size and
//! depth are bounded by the text, whatever it holds. Kinds are checked
//! where the text alone shows them (`'a' gt 1`, `1 and 2` are refused);
//! properties may be of any kind until a value is read.

use super::bounds::{FilterError, MAX_DEPTH, MAX_TERMS};
use super::lex::{Lexed, Token};
use super::value::{parse_span, Val};
use crate::domain::sds::index_key::parse_time;
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Literal(Val),
    Property(String),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Compare(Cmp, Box<Expr>, Box<Expr>),
    Arith(Op, Box<Expr>, Box<Expr>),
    Negate(Box<Expr>),
    Call(Func, Vec<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

/// The functions of the SDS filter syntax this service evaluates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    Round,
    Floor,
    Ceiling,
    EndsWith,
    StartsWith,
    Contains,
    Length,
    IndexOf,
    Substring,
    ToLower,
    ToUpper,
    Trim,
    Concat,
    Replace,
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    Days,
    Hours,
    Minutes,
    Seconds,
}

/// What an expression is known to be from the text alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Bool,
    Number,
    Text,
    Time,
    Guid,
    Span,
    Null,
    /// A property: known only once a value is read.
    Any,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Bool => "a condition",
            Kind::Number => "a number",
            Kind::Text => "text",
            Kind::Time => "a DateTime",
            Kind::Guid => "a GUID",
            Kind::Span => "a TimeSpan",
            Kind::Null => "null",
            Kind::Any => "a property",
        }
    }

    fn fits(self, wanted: Kind) -> bool {
        self == wanted || self == Kind::Any || self == Kind::Null
    }
}

impl Func {
    fn named(name: &str) -> Option<Func> {
        use Func::*;
        Some(match name.to_ascii_lowercase().as_str() {
            "round" => Round,
            "floor" => Floor,
            "ceiling" => Ceiling,
            "endswith" => EndsWith,
            "startswith" => StartsWith,
            "contains" => Contains,
            "length" => Length,
            "indexof" => IndexOf,
            "substring" => Substring,
            "tolower" => ToLower,
            "toupper" => ToUpper,
            "trim" => Trim,
            "concat" => Concat,
            "replace" => Replace,
            "year" => Year,
            "month" => Month,
            "day" => Day,
            "hour" => Hour,
            "minute" => Minute,
            "second" => Second,
            "days" => Days,
            "hours" => Hours,
            "minutes" => Minutes,
            "seconds" => Seconds,
            _ => return None,
        })
    }

    /// The kinds of its arguments (the last ones optional past `required`),
    /// and the kind of its result.
    fn signature(self) -> (&'static [Kind], usize, Kind) {
        use Func::*;
        use Kind::*;
        match self {
            Round | Floor | Ceiling => (&[Number], 1, Number),
            EndsWith | StartsWith | Contains => (&[Text, Text], 2, Bool),
            Length => (&[Text], 1, Number),
            IndexOf => (&[Text, Text], 2, Number),
            Substring => (&[Text, Number, Number], 2, Text),
            ToLower | ToUpper | Trim => (&[Text], 1, Text),
            Concat => (&[Text, Text], 2, Text),
            Replace => (&[Text, Text, Text], 3, Text),
            Year | Month | Day | Hour | Minute | Second => (&[Time], 1, Number),
            Days | Hours | Minutes | Seconds => (&[Span], 1, Number),
        }
    }
}

/// Words the syntax reserves (never property names).
const KEYWORDS: [&str; 17] = [
    "and", "or", "not", "eq", "ne", "gt", "ge", "lt", "le", "add", "sub", "mul", "div", "mod",
    "true", "false", "null",
];

/// Functions of the SDS syntax that are not evaluated here: refused by
/// name rather than read as a property.
const UNSUPPORTED: [&str; 2] = ["years", "substringof"];

pub struct Parser {
    tokens: Vec<Lexed>,
    next: usize,
    depth: usize,
    terms: usize,
    /// Where the text ends, for errors about a missing last word.
    end: usize,
}

type Parsed = Result<(Expr, Kind), FilterError>;

impl Parser {
    pub fn new(tokens: Vec<Lexed>, end: usize) -> Self {
        Self {
            tokens,
            next: 0,
            depth: 0,
            terms: 0,
            end,
        }
    }

    /// The whole expression: a condition, and nothing after it.
    pub fn expression(mut self) -> Result<Expr, FilterError> {
        let at = self.here();
        let (expr, kind) = self.or()?;
        if let Some(extra) = self.tokens.get(self.next) {
            return Err(FilterError::at(
                extra.at,
                format!(
                    "expected 'and', 'or' or the end, found {}",
                    shown(&extra.token)
                ),
            ));
        }
        need(at, kind, Kind::Bool)?;
        Ok(expr)
    }

    fn here(&self) -> usize {
        self.tokens.get(self.next).map_or(self.end, |t| t.at)
    }

    fn peek_word(&self) -> Option<String> {
        match self.tokens.get(self.next).map(|t| &t.token) {
            Some(Token::Word(w)) => Some(w.to_ascii_lowercase()),
            _ => None,
        }
    }

    fn take_keyword(&mut self, options: &[&str]) -> Option<String> {
        let word = self.peek_word().filter(|w| options.contains(&w.as_str()))?;
        self.next += 1;
        Some(word)
    }

    fn take(&mut self, token: &Token) -> bool {
        if self.tokens.get(self.next).map(|t| &t.token) == Some(token) {
            self.next += 1;
            return true;
        }
        false
    }

    fn expect(&mut self, token: Token, what: &str) -> Result<(), FilterError> {
        if self.take(&token) {
            return Ok(());
        }
        Err(FilterError::at(
            self.here(),
            format!("expected {what}, found {}", self.found()),
        ))
    }

    fn found(&self) -> String {
        self.tokens
            .get(self.next)
            .map_or_else(|| "the end".to_string(), |t| shown(&t.token))
    }

    fn deeper(&mut self) -> Result<(), FilterError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(FilterError::at(
                self.here(),
                format!("nests more than {MAX_DEPTH} levels deep"),
            ));
        }
        Ok(())
    }

    fn or(&mut self) -> Parsed {
        let (mut left, mut kind) = self.and()?;
        while self.peek_word().as_deref() == Some("or") {
            let at = self.here();
            self.next += 1;
            need(at, kind, Kind::Bool)?;
            let right_at = self.here();
            let (right, right_kind) = self.and()?;
            need(right_at, right_kind, Kind::Bool)?;
            left = Expr::Or(Box::new(left), Box::new(right));
            kind = Kind::Bool;
        }
        Ok((left, kind))
    }

    fn and(&mut self) -> Parsed {
        let (mut left, mut kind) = self.not()?;
        while self.peek_word().as_deref() == Some("and") {
            let at = self.here();
            self.next += 1;
            need(at, kind, Kind::Bool)?;
            let right_at = self.here();
            let (right, right_kind) = self.not()?;
            need(right_at, right_kind, Kind::Bool)?;
            left = Expr::And(Box::new(left), Box::new(right));
            kind = Kind::Bool;
        }
        Ok((left, kind))
    }

    fn not(&mut self) -> Parsed {
        if self.take_keyword(&["not"]).is_none() {
            return self.compare();
        }
        self.deeper()?;
        let at = self.here();
        let (inner, kind) = self.not()?;
        need(at, kind, Kind::Bool)?;
        self.depth -= 1;
        Ok((Expr::Not(Box::new(inner)), Kind::Bool))
    }

    fn compare(&mut self) -> Parsed {
        let at = self.here();
        let (left, left_kind) = self.sum()?;
        let Some(op) = self.take_keyword(&["eq", "ne", "gt", "ge", "lt", "le"]) else {
            return Ok((left, left_kind));
        };
        let op = match op.as_str() {
            "eq" => Cmp::Eq,
            "ne" => Cmp::Ne,
            "gt" => Cmp::Gt,
            "ge" => Cmp::Ge,
            "lt" => Cmp::Lt,
            _ => Cmp::Le,
        };
        let (right, right_kind) = self.sum()?;
        comparable(at, left_kind, right_kind)?;
        Ok((
            Expr::Compare(op, Box::new(left), Box::new(right)),
            Kind::Bool,
        ))
    }

    fn sum(&mut self) -> Parsed {
        self.arithmetic(&["add", "sub"], Self::product)
    }

    fn product(&mut self) -> Parsed {
        self.arithmetic(&["mul", "div", "mod"], Self::negation)
    }

    fn arithmetic(&mut self, ops: &[&str], operand: fn(&mut Self) -> Parsed) -> Parsed {
        let at = self.here();
        let (mut left, mut kind) = operand(self)?;
        while let Some(op) = self.take_keyword(ops) {
            need(at, kind, Kind::Number)?;
            let right_at = self.here();
            let (right, right_kind) = operand(self)?;
            need(right_at, right_kind, Kind::Number)?;
            let op = match op.as_str() {
                "add" => Op::Add,
                "sub" => Op::Sub,
                "mul" => Op::Mul,
                "div" => Op::Div,
                _ => Op::Mod,
            };
            left = Expr::Arith(op, Box::new(left), Box::new(right));
            kind = Kind::Number;
        }
        Ok((left, kind))
    }

    fn negation(&mut self) -> Parsed {
        if !self.take(&Token::Minus) {
            return self.primary();
        }
        self.deeper()?;
        let at = self.here();
        let (inner, kind) = self.negation()?;
        need(at, kind, Kind::Number)?;
        self.depth -= 1;
        // A negative number is a literal, so `-5` costs no evaluation.
        let expr = match inner {
            Expr::Literal(Val::Int(i)) => Expr::Literal(Val::Int(-i)),
            Expr::Literal(Val::Float(f)) => Expr::Literal(Val::Float(-f)),
            other => Expr::Negate(Box::new(other)),
        };
        Ok((expr, Kind::Number))
    }

    fn primary(&mut self) -> Parsed {
        let at = self.here();
        let Some(lexed) = self.tokens.get(self.next).cloned() else {
            return Err(FilterError::at(at, "expected a value, found the end"));
        };
        self.next += 1;
        match lexed.token {
            Token::Open => {
                self.deeper()?;
                let inner = self.or()?;
                self.expect(Token::Close, "')'")?;
                self.depth -= 1;
                Ok(inner)
            }
            Token::Text(text) => self.operand(Expr::Literal(Val::Text(text)), Kind::Text, at),
            Token::Typed(prefix, text) => {
                let (val, kind) = typed(&prefix, &text, at)?;
                self.operand(Expr::Literal(val), kind, at)
            }
            Token::Word(word) => self.word(word, at),
            other => Err(FilterError::at(
                at,
                format!("expected a value, found {}", shown(&other)),
            )),
        }
    }

    fn operand(&mut self, expr: Expr, kind: Kind, at: usize) -> Parsed {
        self.terms += 1;
        if self.terms > MAX_TERMS {
            return Err(FilterError::at(
                at,
                format!("has more than {MAX_TERMS} values and properties"),
            ));
        }
        Ok((expr, kind))
    }

    fn word(&mut self, word: String, at: usize) -> Parsed {
        let lower = word.to_ascii_lowercase();
        if self.take(&Token::Open) {
            return self.call(&word, at);
        }
        match lower.as_str() {
            "true" => return self.operand(Expr::Literal(Val::Bool(true)), Kind::Bool, at),
            "false" => return self.operand(Expr::Literal(Val::Bool(false)), Kind::Bool, at),
            "null" => return self.operand(Expr::Literal(Val::Null), Kind::Null, at),
            k if KEYWORDS.contains(&k) => {
                return Err(FilterError::at(
                    at,
                    format!("expected a value, found '{word}'"),
                ))
            }
            _ => {}
        }
        if let Some((val, kind)) = literal(&word) {
            return self.operand(Expr::Literal(val), kind, at);
        }
        if is_property(&word) {
            return self.operand(Expr::Property(word), Kind::Any, at);
        }
        Err(FilterError::at(
            at,
            format!("'{word}' is not a property name, number, DateTime, TimeSpan or GUID"),
        ))
    }

    fn call(&mut self, name: &str, at: usize) -> Parsed {
        let Some(func) = Func::named(name) else {
            let reason = if UNSUPPORTED.contains(&name.to_ascii_lowercase().as_str()) {
                format!("the function '{name}' is not supported")
            } else {
                format!("'{name}' is not a function of the filter syntax")
            };
            return Err(FilterError::at(at, reason));
        };
        self.deeper()?;
        let (kinds, required, result) = func.signature();
        let mut args = Vec::new();
        loop {
            let arg_at = self.here();
            let (arg, kind) = self.or()?;
            let Some(wanted) = kinds.get(args.len()) else {
                return Err(FilterError::at(
                    arg_at,
                    format!("{name} takes at most {} arguments", kinds.len()),
                ));
            };
            need(arg_at, kind, *wanted)?;
            args.push(arg);
            if !self.take(&Token::Comma) {
                break;
            }
        }
        self.expect(Token::Close, "',' or ')'")?;
        if args.len() < required {
            return Err(FilterError::at(
                at,
                format!("{name} takes {required} arguments, found {}", args.len()),
            ));
        }
        self.depth -= 1;
        Ok((Expr::Call(func, args), result))
    }
}

fn need(at: usize, found: Kind, wanted: Kind) -> Result<(), FilterError> {
    if found.fits(wanted) {
        return Ok(());
    }
    Err(FilterError::at(
        at,
        format!("expected {}, found {}", wanted.name(), found.name()),
    ))
}

/// Two sides a comparison can hold: either unknown until a value is read,
/// or of one kind. Text may hold a DateTime, GUID or TimeSpan.
fn comparable(at: usize, left: Kind, right: Kind) -> Result<(), FilterError> {
    use Kind::*;
    let fine = match (left, right) {
        (Any | Null, _) | (_, Any | Null) => true,
        (Text, Time | Guid | Span) | (Time | Guid | Span, Text) => true,
        (a, b) => a == b,
    };
    if fine {
        return Ok(());
    }
    Err(FilterError::at(
        at,
        format!("cannot compare {} with {}", left.name(), right.name()),
    ))
}

fn is_property(word: &str) -> bool {
    let mut chars = word.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A bare literal: a number, a DateTime, a TimeSpan or a GUID.
fn literal(word: &str) -> Option<(Val, Kind)> {
    let starts_with_digit = word.starts_with(|c: char| c.is_ascii_digit());
    if starts_with_digit || word.starts_with('.') {
        if let Ok(i) = word.parse::<i128>() {
            return Some((Val::Int(i), Kind::Number));
        }
        if word
            .bytes()
            .all(|b| b.is_ascii_digit() || b"eE.+-".contains(&b))
        {
            if let Ok(f) = word.parse::<f64>() {
                return f.is_finite().then_some((Val::Float(f), Kind::Number));
            }
        }
    }
    if let Ok(g) = Uuid::try_parse(word) {
        if word.len() == 36 {
            return Some((Val::Guid(g), Kind::Guid));
        }
    }
    if starts_with_digit {
        if let Some(t) = parse_time(word) {
            return Some((Val::Time(t), Kind::Time));
        }
        if let Some(s) = parse_span(word) {
            return Some((Val::Span(s), Kind::Span));
        }
    }
    None
}

/// `datetime'...'`, `datetimeoffset'...'`, `guid'...'`, `time'...'` and
/// `duration'...'`, as OData writes them.
fn typed(prefix: &str, text: &str, at: usize) -> Result<(Val, Kind), FilterError> {
    let bad = |what: &str| FilterError::at(at, format!("'{text}' is not a valid {what}"));
    match prefix {
        "datetime" | "datetimeoffset" => parse_time(text.trim())
            .map(|t| (Val::Time(t), Kind::Time))
            .ok_or_else(|| bad("DateTime")),
        "guid" => Uuid::try_parse(text.trim())
            .map(|g| (Val::Guid(g), Kind::Guid))
            .map_err(|_| bad("GUID")),
        "time" | "duration" => parse_span(text.trim())
            .map(|s| (Val::Span(s), Kind::Span))
            .ok_or_else(|| bad("TimeSpan")),
        other => Err(FilterError::at(
            at,
            format!("'{other}' is not a kind of literal (datetime, guid or time)"),
        )),
    }
}

fn shown(token: &Token) -> String {
    match token {
        Token::Open => "'('".into(),
        Token::Close => "')'".into(),
        Token::Comma => "','".into(),
        Token::Minus => "'-'".into(),
        Token::Text(t) => format!("the text '{}'", t.chars().take(40).collect::<String>()),
        Token::Word(w) | Token::Typed(w, _) => {
            format!("'{}'", w.chars().take(40).collect::<String>())
        }
    }
}
