//! `SdsBoundaryType`: how a window or range read treats its ends.

/// By name (any case) or number, as the libraries send it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BoundaryType {
    /// The event at the boundary if one is stored there.
    #[default]
    Exact,
    /// Only events strictly inside the boundaries.
    Inside,
    /// Also the nearest stored event beyond the boundary.
    Outside,
    /// An event at the boundary: the stored one, else one calculated by
    /// the stream's read characteristics.
    ExactOrCalculated,
}

impl BoundaryType {
    const ALL: [(&'static str, Self); 4] = [
        ("Exact", Self::Exact),
        ("Inside", Self::Inside),
        ("Outside", Self::Outside),
        ("ExactOrCalculated", Self::ExactOrCalculated),
    ];

    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Ok(n) = text.parse::<usize>() {
            return Self::ALL.get(n).map(|(_, b)| *b);
        }
        Self::ALL
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(text))
            .map(|(_, b)| *b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundary_types_parse_by_name_or_number() {
        assert_eq!(BoundaryType::parse("outside"), Some(BoundaryType::Outside));
        assert_eq!(
            BoundaryType::parse("3"),
            Some(BoundaryType::ExactOrCalculated)
        );
        assert_eq!(BoundaryType::parse(" 1 "), Some(BoundaryType::Inside));
        assert_eq!(BoundaryType::parse("4"), None);
        assert_eq!(BoundaryType::parse("Sideways"), None);
        assert_eq!(BoundaryType::default(), BoundaryType::Exact);
    }
}
