//! The words of a filter expression: parentheses, commas, the negation
//! sign, quoted text (`'it''s'`), typed literals (`datetime'...'`,
//! `guid'...'`) and bare words. A bare word is a run of letters, digits and
//! `_ . : + -`, so that `2022-12-06T00:00:00+01:00` and a GUID stay one
//! word; the grammar decides what a word is (keyword, property, number,
//! DateTime, TimeSpan or GUID).

use super::bounds::FilterError;

#[derive(Clone, Debug, PartialEq)]
pub enum Token {
    Open,
    Close,
    Comma,
    Minus,
    Text(String),
    Word(String),
    /// A prefix word written against a quoted text: `datetime'2020-01-01'`.
    Typed(String, String),
}

/// A token and the character it starts at (0-based).
#[derive(Clone, Debug, PartialEq)]
pub struct Lexed {
    pub token: Token,
    pub at: usize,
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '+' | '-')
}

pub fn tokens(text: &str) -> Result<Vec<Lexed>, FilterError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let at = i;
        let token = match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' => Token::Open,
            ')' => Token::Close,
            ',' => Token::Comma,
            '-' => Token::Minus,
            '\'' => {
                let (text, next) = quoted(&chars, i)?;
                i = next;
                out.push(Lexed {
                    token: Token::Text(text),
                    at,
                });
                continue;
            }
            c if is_word_char(c) => {
                let end = (i..chars.len())
                    .find(|&j| !is_word_char(chars[j]))
                    .unwrap_or(chars.len());
                let word: String = chars[i..end].iter().collect();
                i = end;
                let token = if chars.get(i) == Some(&'\'') && word.chars().all(char::is_alphabetic)
                {
                    let (text, next) = quoted(&chars, i)?;
                    i = next;
                    Token::Typed(word.to_ascii_lowercase(), text)
                } else {
                    Token::Word(word)
                };
                out.push(Lexed { token, at });
                continue;
            }
            other => {
                return Err(FilterError::at(
                    at,
                    format!("the character '{other}' is not part of the filter syntax"),
                ))
            }
        };
        out.push(Lexed { token, at });
        i += 1;
    }
    Ok(out)
}

/// The text of a quoted string starting at `start` (a `'`), with `''` read
/// as one quote, and the index just past its closing quote.
fn quoted(chars: &[char], start: usize) -> Result<(String, usize), FilterError> {
    let mut text = String::new();
    let mut i = start + 1;
    loop {
        match chars.get(i) {
            None => {
                return Err(FilterError::at(
                    start,
                    "this quoted text has no closing quote (write '' for a quote inside it)",
                ))
            }
            Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                text.push('\'');
                i += 2;
            }
            Some('\'') => return Ok((text, i + 1)),
            Some(&c) => {
                text.push(c);
                i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Token> {
        tokens(text).unwrap().into_iter().map(|l| l.token).collect()
    }

    #[test]
    fn words_keep_times_and_guids_whole() {
        assert_eq!(
            kinds("Time ge 2022-12-06T00:00:00+01:00 and (Id eq 'it''s')"),
            vec![
                Token::Word("Time".into()),
                Token::Word("ge".into()),
                Token::Word("2022-12-06T00:00:00+01:00".into()),
                Token::Word("and".into()),
                Token::Open,
                Token::Word("Id".into()),
                Token::Word("eq".into()),
                Token::Text("it's".into()),
                Token::Close,
            ]
        );
        assert_eq!(
            kinds("-Value gt datetime'2020-01-01'"),
            vec![
                Token::Minus,
                Token::Word("Value".into()),
                Token::Word("gt".into()),
                Token::Typed("datetime".into(), "2020-01-01".into()),
            ]
        );
    }

    #[test]
    fn an_open_quote_and_a_stray_character_say_where() {
        let e = tokens("Name eq 'abc").unwrap_err();
        assert_eq!(e.position, 8);
        let e = tokens("Value == 1").unwrap_err();
        assert_eq!(e.position, 6);
        assert!(e.reason.contains("'='"), "{e}");
    }
}
