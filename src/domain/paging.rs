//! `skip` / `count` of every list endpoint.

pub const DEFAULT_COUNT: usize = 100;
pub const MAX_COUNT: usize = 1000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    pub skip: usize,
    pub count: usize,
}

impl Page {
    /// No paging: every entry (for lists that filter before they page).
    pub fn everything() -> Self {
        Self {
            skip: 0,
            count: usize::MAX,
        }
    }
}

impl Default for Page {
    fn default() -> Self {
        Self {
            skip: 0,
            count: DEFAULT_COUNT,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    #[error("skip must be a whole number of at least 0")]
    Skip,
    #[error("count must be a whole number from 1 to 1000")]
    Count,
}

impl PageError {
    pub fn field(self) -> &'static str {
        match self {
            PageError::Skip => "skip",
            PageError::Count => "count",
        }
    }
}

impl Page {
    pub fn parse(skip: Option<&str>, count: Option<&str>) -> Result<Self, PageError> {
        let skip = match skip {
            None => 0,
            Some(s) => s.trim().parse::<usize>().map_err(|_| PageError::Skip)?,
        };
        let count = match count {
            None => DEFAULT_COUNT,
            Some(c) => c.trim().parse::<usize>().map_err(|_| PageError::Count)?,
        };
        if !(1..=MAX_COUNT).contains(&count) {
            return Err(PageError::Count);
        }
        Ok(Self { skip, count })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_edges() {
        assert_eq!(
            Page::parse(None, None),
            Ok(Page {
                skip: 0,
                count: 100
            })
        );
        assert_eq!(
            Page::parse(Some("5"), Some("1")),
            Ok(Page { skip: 5, count: 1 })
        );
        assert_eq!(Page::parse(None, Some("1000")).map(|p| p.count), Ok(1000));
        assert_eq!(Page::parse(None, Some("0")), Err(PageError::Count));
        assert_eq!(Page::parse(None, Some("1001")), Err(PageError::Count));
        assert_eq!(Page::parse(Some("-1"), None), Err(PageError::Skip));
        assert_eq!(Page::parse(Some("x"), None), Err(PageError::Skip));
    }
}
