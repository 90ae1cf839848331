//! An error written for the log with every cause behind it, so a 500's log
//! line says what the database or the file system actually reported.

use std::error::Error;
use std::fmt;

/// Displays an error, then each source in turn after ": ". A source whose
/// text its error already shows (most messages quote their cause) is not
/// repeated.
pub struct Chain<'a>(pub &'a (dyn Error + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = self.0.to_string();
        f.write_str(&shown)?;
        let mut next = self.0.source();
        while let Some(cause) = next {
            let text = cause.to_string();
            if !shown.contains(&text) {
                write!(f, ": {text}")?;
            }
            shown = text;
            next = cause.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("the backup failed")]
    struct Quiet(#[source] std::io::Error);

    #[derive(Debug, thiserror::Error)]
    #[error("operator command failed: {0}")]
    struct Quoting(#[source] Quiet);

    #[test]
    fn causes_are_written_once_each() {
        let error = Quoting(Quiet(std::io::Error::other("disk full")));
        assert_eq!(
            Chain(&error).to_string(),
            "operator command failed: the backup failed: disk full"
        );
    }
}
