//! The crate's modules form a hierarchy: no module reaches, directly or not, back to one
//! that reaches it (no `config` ↔ `sansio`, no `error` ↔ `retry`).

use std::collections::{BTreeMap, BTreeSet};

/// `module → modules it names as crate::<module>` for every file in `src/`.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files: Vec<(String, String)> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| {
            (p.file_stem().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap())
        })
        .filter(|(name, _)| name != "lib")
        .collect();
    let names: BTreeSet<String> = files.iter().map(|(n, _)| n.clone()).collect();
    files
        .iter()
        .map(|(name, text)| {
            let code =
                text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
            let uses = names
                .iter()
                .filter(|other| *other != name)
                .filter(|other| {
                    code.contains(&format!("crate::{other}::"))
                        || code.contains(&format!("crate::{other}::{{"))
                })
                .cloned()
                .collect();
            (name.clone(), uses)
        })
        .collect()
}

#[test]
fn modules_have_no_import_cycles() {
    let graph = module_graph();
    assert!(graph.len() >= 10, "{graph:?}");
    // Depth-first search for a cycle, reporting it.
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if let Some(at) = path.iter().position(|n| n == node) {
            panic!("import cycle: {} -> {node}", path[at..].join(" -> "));
        }
        if done.contains(node) {
            return;
        }
        path.push(node.to_owned());
        for next in &graph[node] {
            visit(next, graph, path, done);
        }
        path.pop();
        done.insert(node.to_owned());
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        visit(node, &graph, &mut Vec::new(), &mut done);
    }
    // The two cycles the architecture issue named are gone.
    assert!(!graph["config"].contains("sansio"));
    assert!(!graph["retry"].contains("error"));
}
