//! The crate's modules only point downward (web -> app -> rules and
//! storage, mail through the outbox use cases), and the files of one
//! directory never use each other in a circle. Read from the source, so a
//! new `use` that breaks either fails here, naming the file and the path.

mod imports;

use imports::Import;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What each top-level module may use besides itself. Nothing may use what
/// it uses, directly or through others (`the_layer_table_itself_points_one_way`).
const LAYERS: &[(&str, &[&str])] = &[
    ("main", &["cli", "telemetry"]),
    (
        "cli",
        &[
            "startup", "operator", "app", "store", "domain", "config", "clock",
        ],
    ),
    (
        "startup",
        &[
            "web",
            "mail",
            "webhook",
            "operator",
            "app",
            "store",
            "templates",
            "config",
            "clock",
        ],
    ),
    ("operator", &["app", "store", "domain"]),
    ("web", &["app", "auth", "domain"]),
    // The worker sends what the outbox use cases hand it; links in emails
    // are signed with the auth keys.
    ("mail", &["app", "auth", "domain"]),
    // The webhook worker sends what its use cases hand it.
    ("webhook", &["app", "domain"]),
    (
        "app",
        &["auth", "store", "telemetry", "domain", "config", "clock"],
    ),
    // The gauges are read from counts the database keeps.
    ("telemetry", &["store"]),
    ("auth", &["domain"]),
    ("store", &["domain"]),
    ("domain", &[]),
    ("templates", &[]),
    ("config", &[]),
    ("clock", &[]),
    ("lib", &[]),
];

/// Uses that close a circle inside a directory, in files this check does
/// not own yet. Each is listed, not skipped quietly, and must still exist:
/// once it is gone, its line goes too.
const KNOWN_CIRCLES: &[(&str, &str)] = &[];

fn crate_imports() -> Vec<Import> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    imports::of_crate(&src)
}

/// `web/pages/login.rs` -> `web`; `lib.rs` -> `lib`.
fn top_module(file: &str) -> &str {
    let first = file.split('/').next().unwrap_or(file);
    first.strip_suffix(".rs").unwrap_or(first)
}

fn allowed(from: &str, to: &str) -> bool {
    LAYERS
        .iter()
        .find(|(m, _)| *m == from)
        .is_some_and(|(_, uses)| uses.contains(&to))
}

#[test]
fn the_reader_sees_the_crate_as_it_is() {
    let imports = crate_imports();
    let seen = |from: &str, to: &str| imports.iter().any(|i| i.from == from && i.to == to);
    // A use declaration, a re-exported name followed to its file, a path
    // written in code, and a child module named from its parent.
    assert!(seen("web/health.rs", "app/health.rs"));
    assert!(seen("mail/worker.rs", "app/context.rs"));
    assert!(seen("web/pages/mod.rs", "web/pages/login.rs"));
    assert!(
        !seen("mail/worker.rs", "app/mod.rs"),
        "re-exports are followed"
    );
}

#[test]
fn the_layer_table_itself_points_one_way() {
    let modules: Vec<&str> = LAYERS.iter().map(|(m, _)| *m).collect();
    let edges: Vec<(String, String)> = LAYERS
        .iter()
        .flat_map(|(m, uses)| uses.iter().map(|u| (m.to_string(), u.to_string())))
        .collect();
    for (_, to) in &edges {
        assert!(
            modules.contains(&to.as_str()),
            "{to} has no line of its own"
        );
    }
    assert_eq!(circles(&edges), Vec::<Vec<String>>::new());
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let tops: BTreeSet<String> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| top_module(&e.unwrap().file_name().to_string_lossy()).to_string())
        .collect();
    for top in &tops {
        assert!(
            LAYERS.iter().any(|(m, _)| m == top),
            "src/{top} is not in the layer table"
        );
    }
    let upward: Vec<String> = crate_imports()
        .into_iter()
        .filter(|i| top_module(&i.from) != top_module(&i.to))
        .filter(|i| !allowed(top_module(&i.from), top_module(&i.to)))
        .map(|i| format!("{} uses {} ({})", i.from, i.to, i.written))
        .collect();
    assert!(
        upward.is_empty(),
        "uses the layer table does not allow:\n{}",
        upward.join("\n")
    );
}

#[test]
fn no_files_of_one_directory_use_each_other_in_a_circle() {
    let imports = crate_imports();
    for (from, to) in KNOWN_CIRCLES {
        assert!(
            imports.iter().any(|i| i.from == *from && i.to == *to),
            "{from} no longer uses {to}: drop it from KNOWN_CIRCLES"
        );
    }
    let kept: Vec<&Import> = imports
        .iter()
        .filter(|i| !KNOWN_CIRCLES.contains(&(i.from.as_str(), i.to.as_str())))
        .collect();
    let directories: BTreeSet<&str> = kept
        .iter()
        .flat_map(|i| [i.from.as_str(), i.to.as_str()])
        .map(|f| f.rsplit_once('/').map_or("", |(dir, _)| dir))
        .collect();
    let mut found = Vec::new();
    for dir in directories {
        // Within `dir`, a subdirectory counts as one node: `web/pages` and
        // `web/api` must not use each other either.
        let edges: Vec<(String, String)> = kept
            .iter()
            .filter_map(|i| Some((entry_in(dir, &i.from)?, entry_in(dir, &i.to)?)))
            .filter(|(a, b)| a != b)
            .collect();
        for circle in circles(&edges) {
            found.push(format!("in src/{dir}: {}", circle.join(", ")));
        }
    }
    assert!(
        found.is_empty(),
        "files that use each other in a circle:\n{}",
        found.join("\n")
    );
}

/// The file or subdirectory of `dir` that `file` is, or lies in.
fn entry_in(dir: &str, file: &str) -> Option<String> {
    let rest = if dir.is_empty() {
        file
    } else {
        file.strip_prefix(dir)?.strip_prefix('/')?
    };
    Some(rest.split('/').next()?.to_string())
}

/// The groups of nodes that reach each other (strongly connected, more
/// than one node), each sorted.
fn circles(edges: &[(String, String)]) -> Vec<Vec<String>> {
    let mut next: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (a, b) in edges {
        next.entry(a).or_default().insert(b);
    }
    let reach = |start: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![start];
        while let Some(n) = todo.pop() {
            for m in next.get(n).into_iter().flatten() {
                if seen.insert(m.to_string()) {
                    todo.push(m);
                }
            }
        }
        seen
    };
    let reached: BTreeMap<&str, BTreeSet<String>> = next.keys().map(|n| (*n, reach(n))).collect();
    let mut groups = BTreeSet::new();
    for (n, from_n) in &reached {
        if !from_n.contains(*n) {
            continue;
        }
        let group: Vec<String> = from_n
            .iter()
            .filter(|m| reached.get(m.as_str()).is_some_and(|r| r.contains(*n)))
            .cloned()
            .collect();
        groups.insert(group);
    }
    groups.into_iter().collect()
}
