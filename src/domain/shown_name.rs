//! Names that people read as proof of identity: a tenant's `CompanyName`
//! and alias, a community's name and alias. They appear in invitation
//! emails and on the Join and Confirm pages, so characters that change how
//! the text around them looks (bidi overrides that reverse it, invisible
//! marks that make two names look alike, control characters and NUL that
//! cut or break lines) are refused rather than shown.

/// Why a name was refused; the caller adds the field.
pub const INVISIBLE_OR_CONTROL: &str =
    "must not contain control characters, NUL, bidirectional overrides or invisible formatting characters";

/// Characters that render as nothing, or reorder the text around them.
/// Unicode's format characters (general category Cf) that matter in names,
/// plus the line and paragraph separators.
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'                  // soft hyphen
            | '\u{061C}'            // Arabic letter mark (a bidi mark)
            | '\u{180E}'            // Mongolian vowel separator
            | '\u{200B}'..='\u{200F}' // zero-width space/joiners, LRM, RLM
            | '\u{2028}'..='\u{2029}' // line and paragraph separators
            | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides
            | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
            | '\u{2066}'..='\u{206F}' // bidi isolates and deprecated formats
            | '\u{FEFF}'            // zero-width no-break space (BOM)
            | '\u{FFF9}'..='\u{FFFB}' // interlinear annotation
            | '\u{E0000}'..='\u{E007F}' // tag characters
    )
}

/// Checks a name that people will read; `Err` says why it cannot be shown.
pub fn check(name: &str) -> Result<(), &'static str> {
    if name
        .chars()
        .any(|c| c.is_control() || is_invisible_format(c))
    {
        return Err(INVISIBLE_OR_CONTROL);
    }
    Ok(())
}

/// The key under which two names count as the same name: case does not
/// make a different tenant.
pub fn unique_key(name: &str) -> String {
    name.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_names_in_any_script_pass() {
        for ok in [
            "Contoso",
            "Fabrikam Ltd.",
            "Société Générale",
            "日本の会社",
            "שלום",
            "A & B (UK)",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn controls_nul_bidi_and_invisible_marks_are_refused() {
        for bad in [
            "Con\u{0}toso",
            "Con\ntoso",
            "Con\ttoso",
            "\u{7}Contoso",
            "Con\u{85}toso",
            "\u{202E}osotnoC",
            "Contoso\u{202A}",
            "Contoso\u{202B}",
            "Contoso\u{202C}",
            "Contoso\u{202D}",
            "\u{2066}Contoso\u{2069}",
            "\u{2067}Contoso",
            "\u{2068}Contoso",
            "Contoso\u{200E}",
            "Contoso\u{200F}",
            "Con\u{200B}toso",
            "Con\u{FEFF}toso",
            "Con\u{061C}toso",
            "Con\u{2028}toso",
        ] {
            assert_eq!(check(bad), Err(INVISIBLE_OR_CONTROL), "{bad:?}");
        }
    }

    #[test]
    fn names_differing_only_in_case_share_a_key() {
        assert_eq!(unique_key(" Contoso "), unique_key("CONTOSO"));
        assert_ne!(unique_key("Contoso"), unique_key("Contoso Ltd"));
    }
}
