//! The layer order of `core/src`, enforced: a module uses only the modules below it.
//!
//! The order is written in the crate root docs (`core/src/lib.rs`, "Layers"). This test
//! reads every `crate::…` path (in `use` lines and in code, comments excluded) and every
//! `super::…` path of `core/src`, and fails on
//!
//! - an edge from a top-level module to one at the same or a higher rank (the three
//!   analyses `billing`, `engagement` and `sources` share a rank and never use each other);
//! - a cycle between files of one module (`a.rs` uses `b.rs` and `b.rs` uses `a.rs`).
//!
//! Intra-doc links are comments and do not count: a lower module may *mention* a higher
//! one in its docs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The facade over every layer: the crate root (`lib.rs`), the hidden `internals` module
/// for the workspace's tests and benches, `guide` (the rule pages, documentation only) and
/// `tests` (the crate's own tests of internal state, compiled under `cfg(test)` only).
/// They may use anything.
const FACADE: &[&str] = &["internals", "guide", "tests"];

/// Top to bottom; modules on one line share a rank.
const LAYERS: &[&[&str]] = &[
    &["engine"],
    &["snapshot"],
    &["partition"],
    &["expiry"],
    &["report"],
    &["attribution"],
    &["billing", "engagement", "sources"],
    &["scope"],
    &["store"],
    &["input"],
    &["config"],
    &["model"],
    &["util", "error"],
];

fn rank(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read core/src") {
        let p = e.expect("dir entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file without comments, string literals and `#[cfg(test)]` modules.
fn code_of(src: &str) -> String {
    let src = match src.find("#[cfg(test)]\nmod tests") {
        Some(i) => &src[..i],
        None => src,
    };
    let mut out = String::with_capacity(src.len());
    for line in src.lines() {
        let line = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The module path of a file: `billing/charges.rs` → `["billing", "charges"]`.
fn module_path(root: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(root).expect("under core/src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|c| c.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

/// Every module path a file's code names: `crate::a::b::C` → `[a, b]` (as far as such a
/// module file exists), `super::x` resolved against the file's own path; `use crate::{a,
/// b::c}` groups are expanded one level.
fn references(
    code: &str,
    own: &[String],
    modules: &BTreeSet<Vec<String>>,
) -> BTreeSet<Vec<String>> {
    let mut refs = BTreeSet::new();
    let bytes = code.as_bytes();
    let mut add = |segments: Vec<String>| {
        // The longest prefix that is a module file.
        for n in (1..=segments.len()).rev() {
            let p = segments[..n].to_vec();
            if modules.contains(&p) {
                refs.insert(p);
                return;
            }
        }
    };
    let ident = |i: usize| -> (String, usize) {
        let mut j = i;
        while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
            j += 1;
        }
        (code[i..j].to_string(), j)
    };
    // Follow `::ident` segments from `i`; returns them.
    let path_from = |mut i: usize| -> Vec<String> {
        let mut segs = Vec::new();
        while code[i..].starts_with("::") {
            i += 2;
            let (id, j) = ident(i);
            if id.is_empty() {
                break;
            }
            segs.push(id);
            i = j;
        }
        segs
    };
    for (kw, base) in [
        ("crate", Vec::new()),
        ("super", own[..own.len().saturating_sub(1)].to_vec()),
    ] {
        let mut start = 0;
        while let Some(off) = code[start..].find(kw) {
            let i = start + off;
            start = i + kw.len();
            let before_ok = i == 0
                || !(bytes[i - 1].is_ascii_alphanumeric()
                    || bytes[i - 1] == b'_'
                    || bytes[i - 1] == b':');
            if !before_ok || !code[start..].starts_with("::") {
                continue;
            }
            // A group: `crate::{a, b::c}` or `super::{..}`.
            if code[start..].starts_with("::{") {
                let open = start + 3;
                let close = code[open..].find('}').map_or(code.len(), |c| open + c);
                for item in code[open..close].split(',') {
                    let item = item.trim();
                    let first: Vec<String> = item
                        .split("::")
                        .map(|s| s.trim().trim_start_matches('{').to_string())
                        .filter(|s| {
                            !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_')
                        })
                        .collect();
                    if !first.is_empty() {
                        let mut p = base.clone();
                        p.extend(first);
                        add(p);
                    }
                }
                continue;
            }
            let mut p = base.clone();
            p.extend(path_from(start));
            add(p);
        }
    }
    refs
}

struct Graph {
    /// file module path → referenced module paths
    edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
}

fn graph() -> Graph {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_path(&root, f)).collect();
    let mut edges = BTreeMap::new();
    for f in &files {
        let own = module_path(&root, f);
        let src = std::fs::read_to_string(f).expect("read source");
        let refs = references(&code_of(&src), &own, &modules);
        edges.insert(own, refs);
    }
    Graph { edges }
}

/// The upward (or sideways) edges between top-level modules, as `from -> to (file)`.
fn violations(g: &Graph) -> Vec<String> {
    let mut bad = Vec::new();
    for (from, tos) in &g.edges {
        let Some(top) = from.first() else { continue }; // lib.rs: the facade
        if FACADE.contains(&top.as_str()) {
            continue;
        }
        let Some(r) = rank(top) else {
            bad.push(format!("{top}: not in the layer list"));
            continue;
        };
        for to in tos {
            let Some(t) = to.first() else { continue };
            if t == top {
                continue;
            }
            match rank(t) {
                Some(rt) if rt > r => {}
                _ => bad.push(format!(
                    "{} -> {} ({top} may not use {t})",
                    from.join("/"),
                    to.join("/")
                )),
            }
        }
    }
    bad
}

/// File-level cycles inside one top-level module (pairs and longer).
fn cycles(g: &Graph) -> Vec<String> {
    let mut found = Vec::new();
    // Tarjan-free: DFS from each node looking for a path back to it within its module.
    for start in g.edges.keys() {
        let mut stack = vec![(start.clone(), vec![start.join("/")])];
        let mut seen = BTreeSet::new();
        while let Some((node, path)) = stack.pop() {
            for next in g.edges.get(&node).into_iter().flatten() {
                if next.first() != start.first() || next == &node {
                    continue;
                }
                // A file naming its own parent module (`super::X` defined in mod.rs) is a
                // use of the parent, not a cycle, unless the parent uses the file back.
                if next == start {
                    found.push(format!("{} -> {}", path.join(" -> "), start.join("/")));
                } else if seen.insert(next.clone()) {
                    let mut p = path.clone();
                    p.push(next.join("/"));
                    stack.push((next.clone(), p));
                }
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let g = graph();
    assert!(g.edges.len() > 40, "read too few files: {}", g.edges.len());
    let bad = violations(&g);
    assert!(
        bad.is_empty(),
        "upward or sideways imports:\n{}",
        bad.join("\n")
    );
}

#[test]
fn no_file_cycles_inside_a_module() {
    let g = graph();
    // A module's `mod.rs` re-exporting its children and children using `super::` items is
    // the normal shape; only count cycles between sibling files or through a child.
    let c: Vec<String> = cycles(&g)
        .into_iter()
        .filter(|c| {
            let nodes: Vec<&str> = c.split(" -> ").collect();
            let distinct: BTreeSet<&str> = nodes.iter().copied().collect();
            // Ignore parent <-> child (mod.rs declares the child; the child uses the
            // parent's shared types).
            !(distinct.len() == 2 && {
                let v: Vec<&&str> = distinct.iter().collect();
                v[0].split('/').count() != v[1].split('/').count()
                    && (v[1].starts_with(&format!("{}/", v[0]))
                        || v[0].starts_with(&format!("{}/", v[1])))
            })
        })
        .collect();
    assert!(
        c.is_empty(),
        "import cycles between files:\n{}",
        c.join("\n")
    );
}

#[test]
fn the_checker_sees_edges() {
    // The checker itself must find the edges it is meant to judge: the engine uses the
    // store, and billing uses the scope.
    let g = graph();
    let uses = |a: &[&str], b: &[&str]| {
        let a: Vec<String> = a.iter().map(|s| (*s).to_string()).collect();
        let b: Vec<String> = b.iter().map(|s| (*s).to_string()).collect();
        g.edges
            .get(&a)
            .is_some_and(|t| t.iter().any(|x| x.starts_with(&b)))
    };
    assert!(uses(&["engine"], &["store"]));
    assert!(uses(&["billing", "charges"], &["store"]));
    let own = vec!["billing".to_string(), "charges".to_string()];
    let modules: BTreeSet<Vec<String>> =
        [vec!["report".to_string()], vec!["billing".to_string()]].into();
    let r = references(
        "use crate::report::Report;\nfn f() { super::x(); }",
        &own,
        &modules,
    );
    assert!(r.contains(&vec!["report".to_string()]));
    assert!(r.contains(&vec!["billing".to_string()]));
    assert!(references(&code_of("// crate::report::Report"), &own, &modules).is_empty());
}
