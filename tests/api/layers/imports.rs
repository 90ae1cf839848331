//! Which source file of the crate uses which: every `use` declaration and
//! every path written out in code (`crate::store::outbox::settle(..)`),
//! resolved to the file that defines the module it lands in. A name that a
//! module only re-exports (`pub use error::AppError;`) counts as a use of
//! the file that defines it, so `crate::app::AppError` is not read as a use
//! of `app/mod.rs`.
//!
//! Code under `#[cfg(test)] mod ... { }` is left out: tests set up their
//! fixtures from any layer and are not part of the binary.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

/// One use of a file by another, with the path written, for messages.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Import {
    /// Relative to `src/`, like `web/pages/login.rs`.
    pub from: String,
    pub to: String,
    pub written: String,
}

struct SourceFile {
    /// Relative to `src/`.
    name: String,
    /// `["web", "pages", "login"]`; empty for the crate roots.
    module: Vec<String>,
    tokens: Vec<String>,
    /// Modules declared in this file with `mod name;`.
    children: BTreeSet<String>,
}

pub fn of_crate(src: &Path) -> Vec<Import> {
    let files: Vec<SourceFile> = rust_files(src)
        .into_iter()
        .map(|name| {
            let text = std::fs::read_to_string(src.join(&name)).expect("source file readable");
            SourceFile::parse(name, &text)
        })
        .collect();
    let crate_name = env!("CARGO_PKG_NAME").replace('-', "_");
    let modules: HashMap<Vec<String>, &SourceFile> = files
        .iter()
        .filter(|f| f.name != "main.rs")
        .map(|f| (f.module.clone(), f))
        .collect();
    let resolver = Resolver {
        modules,
        crate_name,
    };
    let mut imports = BTreeSet::new();
    for file in &files {
        for path in file.paths() {
            if let Some(to) = resolver.file_of(file, &path, 0) {
                if to != file.name {
                    imports.insert(Import {
                        from: file.name.clone(),
                        to,
                        written: path.join("::"),
                    });
                }
            }
        }
    }
    imports.into_iter().collect()
}

fn rust_files(src: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut dirs = vec![src.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("src readable") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let name = path.strip_prefix(src).expect("under src");
                found.push(name.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    found.sort();
    found
}

impl SourceFile {
    fn parse(name: String, text: &str) -> Self {
        let mut module: Vec<String> = name
            .trim_end_matches(".rs")
            .split('/')
            .map(String::from)
            .collect();
        if matches!(
            module.last().map(String::as_str),
            Some("mod" | "lib" | "main")
        ) {
            module.pop();
        }
        let tokens = without_test_modules(tokenize(&code_only(text)));
        let children = tokens
            .windows(3)
            .filter(|w| w[0] == "mod" && w[2] == ";")
            .map(|w| w[1].clone())
            .collect();
        Self {
            name,
            module,
            tokens,
            children,
        }
    }

    /// Every path the file writes that has at least two segments or is
    /// imported, as segments (`use a::{b, c::d}` gives `a::b` and `a::c::d`).
    fn paths(&self) -> Vec<Vec<String>> {
        let t = &self.tokens;
        let mut paths = Vec::new();
        let mut i = 0;
        while i < t.len() {
            if t[i] == "use" {
                let end = (i..t.len()).find(|&j| t[j] == ";").unwrap_or(t.len());
                expand_tree(&t[i + 1..end], &mut Vec::new(), &mut paths);
                i = end;
            } else if is_ident(&t[i])
                && t.get(i + 1).is_some_and(|s| s == "::")
                && (i == 0 || t[i - 1] != "::")
            {
                let mut path = vec![t[i].clone()];
                let mut j = i + 1;
                while t.get(j).is_some_and(|s| s == "::")
                    && t.get(j + 1).is_some_and(|s| is_ident(s))
                {
                    path.push(t[j + 1].clone());
                    j += 2;
                }
                paths.push(path);
                i = j;
                continue;
            }
            i += 1;
        }
        paths
    }

    /// Names this file re-exports (`pub use a::b::Name;`), with their paths.
    fn re_exports(&self) -> Vec<(String, Vec<String>)> {
        let t = &self.tokens;
        let mut found = Vec::new();
        for i in 1..t.len() {
            let public = t[i - 1] == "pub" || (t[i - 1] == ")" && i >= 4 && t[i - 4] == "pub");
            if t[i] == "use" && public {
                let end = (i..t.len()).find(|&j| t[j] == ";").unwrap_or(t.len());
                let mut paths = Vec::new();
                expand_tree(&t[i + 1..end], &mut Vec::new(), &mut paths);
                found.extend(
                    paths
                        .into_iter()
                        .filter_map(|p| Some((p.last()?.clone(), p))),
                );
            }
        }
        found
    }
}

struct Resolver<'a> {
    modules: HashMap<Vec<String>, &'a SourceFile>,
    crate_name: String,
}

impl Resolver<'_> {
    /// The file defining what `path`, written in `file`, names; `None` for
    /// paths outside the crate (std, dependencies, local items).
    fn file_of(&self, file: &SourceFile, path: &[String], depth: usize) -> Option<String> {
        let first = path.first()?.as_str();
        let mut full: Vec<String> = match first {
            "crate" => Vec::new(),
            _ if first == self.crate_name && file.name == "main.rs" => Vec::new(),
            "self" => file.module.clone(),
            "super" => file.module.clone(),
            _ if file.children.contains(first) => {
                let mut m = file.module.clone();
                m.push(first.to_string());
                m.extend(path[1..].iter().cloned());
                return self.landing(m, depth);
            }
            _ => return None,
        };
        let mut rest = &path[1..];
        if first == "super" {
            full.pop()?;
            while rest.first().is_some_and(|s| s == "super") {
                full.pop()?;
                rest = &rest[1..];
            }
        }
        full.extend(rest.iter().cloned());
        self.landing(full, depth)
    }

    /// The deepest module file on `full`, or the file a name it re-exports
    /// comes from.
    fn landing(&self, full: Vec<String>, depth: usize) -> Option<String> {
        let (len, module) = (0..=full.len())
            .rev()
            .find_map(|n| self.modules.get(&full[..n]).map(|m| (n, *m)))?;
        if let (Some(name), true) = (full.get(len), depth < 4) {
            let exported = module.re_exports().into_iter().find(|(n, _)| n == name);
            if let Some(origin) = exported.and_then(|(_, p)| self.file_of(module, &p, depth + 1)) {
                return Some(origin);
            }
        }
        Some(module.name.clone())
    }
}

/// Appends the paths a use tree names to `out`; `prefix` is what encloses it.
fn expand_tree(tokens: &[String], prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let mut depth = 0;
    let mut start = 0;
    let mut parts = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        match t.as_str() {
            "{" => depth += 1,
            "}" => depth -= 1,
            "," if depth == 0 => {
                parts.push(&tokens[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&tokens[start..]);
    for part in parts {
        expand_one(part, prefix, out);
    }
}

fn expand_one(tokens: &[String], prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let pushed = prefix.len();
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i].as_str();
        match t {
            "{" => {
                let inner = &tokens[i + 1..tokens.len().saturating_sub(1)];
                expand_tree(inner, prefix, out);
                prefix.truncate(pushed);
                return;
            }
            "as" | "*" => break,
            "::" => {}
            "self" if !prefix.is_empty() => {}
            _ if is_ident(t) => prefix.push(t.to_string()),
            _ => {}
        }
        i += 1;
    }
    if !prefix.is_empty() {
        out.push(prefix.clone());
    }
    prefix.truncate(pushed);
}

fn is_ident(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

/// The text with comments and the insides of string and char literals
/// removed, so a doc comment or a message mentioning `crate::x` is no use.
fn code_only(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < c.len() {
        let at = |s: &str| {
            s.chars()
                .enumerate()
                .all(|(k, ch)| c.get(i + k) == Some(&ch))
        };
        if at("//") {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if at("/*") {
            i = skip_block_comment(&c, i);
        } else if let Some(end) = raw_string_end(&c, i) {
            out.push_str("\"\"");
            i = end;
        } else if c[i] == '"' {
            i += 1;
            while i < c.len() && c[i] != '"' {
                i += if c[i] == '\\' { 2 } else { 1 };
            }
            out.push_str("\"\"");
            i += 1;
        } else if c[i] == '\'' && c.get(i + 1) == Some(&'\\') {
            i += 3; // past the escaped character, which may be a quote
            while i < c.len() && c[i] != '\'' {
                i += 1;
            }
            i += 1;
        } else if c[i] == '\'' && c.get(i + 2) == Some(&'\'') {
            i += 3; // a char literal; anything else after ' is a lifetime
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

fn skip_block_comment(c: &[char], mut i: usize) -> usize {
    let mut depth = 0;
    while i + 1 < c.len() {
        if c[i] == '/' && c[i + 1] == '*' {
            depth += 1;
            i += 2;
        } else if c[i] == '*' && c[i + 1] == '/' {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    c.len()
}

/// Where a raw string (`r"..."`, `br#"..."#`) starting at `i` ends.
fn raw_string_end(c: &[char], i: usize) -> Option<usize> {
    if i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_') {
        return None;
    }
    let mut j = i + usize::from(c.get(i) == Some(&'b'));
    if c.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let hashes = c[j..].iter().take_while(|&&ch| ch == '#').count();
    j += hashes;
    if c.get(j) != Some(&'"') {
        return None;
    }
    j += 1;
    while j < c.len() {
        if c[j] == '"'
            && c[j + 1..]
                .iter()
                .take(hashes)
                .filter(|&&h| h == '#')
                .count()
                == hashes
        {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    Some(c.len())
}

/// Identifiers, `::`, and every other character as its own token.
fn tokenize(code: &str) -> Vec<String> {
    let c: Vec<char> = code.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < c.len() {
        if c[i].is_alphanumeric() || c[i] == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            tokens.push(c[start..i].iter().collect());
        } else if c[i] == ':' && c.get(i + 1) == Some(&':') {
            tokens.push("::".into());
            i += 2;
        } else {
            if !c[i].is_whitespace() {
                tokens.push(c[i].to_string());
            }
            i += 1;
        }
    }
    tokens
}

/// Drops `#[cfg(test)] mod name { ... }` blocks.
fn without_test_modules(tokens: Vec<String>) -> Vec<String> {
    const MARK: [&str; 8] = ["#", "[", "cfg", "(", "test", ")", "]", "mod"];
    let mut kept = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let marked = tokens.len() >= i + MARK.len() + 2
            && MARK.iter().zip(&tokens[i..]).all(|(m, t)| m == t)
            && tokens[i + MARK.len() + 1] == "{";
        if !marked {
            kept.push(tokens[i].clone());
            i += 1;
            continue;
        }
        let mut depth = 0;
        i += MARK.len() + 1;
        while i < tokens.len() {
            match tokens[i].as_str() {
                "{" => depth += 1,
                "}" => depth -= 1,
                _ => {}
            }
            i += 1;
            if depth == 0 {
                break;
            }
        }
    }
    kept
}
