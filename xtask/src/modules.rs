//! The module check of `cargo xtask ci`: no import cycle among the modules of any crate of
//! the workspace, and the layer rules of the mock (its `model/` and `gateway/` use no
//! tokio, hyper or axum, and reach no layer above them).
//!
//! Each crate target (`src/lib.rs`, `src/main.rs`) is read with `syn`, following its `mod`
//! declarations. A node of the graph is a module that has its own file (an inline module
//! belongs to its file's node); `#[cfg(test)]` code is left out (unit tests may reach
//! anywhere). An edge `a -> b` means code in `a` names an item that `b` defines:
//!
//! - every path is resolved to the module that *defines* its item: `crate::`, `self::`,
//!   `super::`, a child module, or a name brought in by a `use`, followed through
//!   `pub use` re-exports (and glob re-exports) to the defining module, so `crate::Thing`
//!   re-exported at the root from `b` is an edge to `b`, not to the root;
//! - a private `use` is an edge (even if only a test used it, rustc would warn); a `pub use`
//!   (any `pub(…)`) is a re-export, an alias and not an edge, unless the module's own code
//!   names it;
//! - a module naming its own descendants is no edge: a module is made of its children,
//!   which may use what it defines (`catalogue` and its generated `catalogue::table`);
//! - paths inside macro calls (`format!("{}", crate::X)`, `matches!(v, super::E::A)`) are
//!   read from their tokens.
//!
//! Not seen: a path only in a `macro_rules!` body (`$crate::…`), or an item reached only
//! through a private glob import of a module that merely re-exports it.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

use proc_macro2::{Spacing, TokenStream, TokenTree};
use syn::visit::Visit;

use crate::util::{self, Failure, Result, bail};

/// A layer rule: the modules under `layer` of crate `krate` name none of `crates` and no
/// module under any of `above`.
struct Layer {
    krate: &'static str,
    layer: &'static str,
    crates: &'static [&'static str],
    above: &'static [&'static str],
}

/// The async runtime and the HTTP server stack, which the mock's sans-IO layers do without.
const IO_CRATES: &[&str] = &["tokio", "tokio_rustls", "hyper", "hyper_util", "axum", "tower_service"];

const LAYERS: &[Layer] = &[
    Layer { krate: "zv-mock", layer: "model", crates: IO_CRATES, above: &["gateway", "server", "record"] },
    Layer { krate: "zv-mock", layer: "gateway", crates: IO_CRATES, above: &["server", "record"] },
];

/// `cargo xtask ci`'s step: every crate target of the workspace.
pub fn check() -> Result {
    let root = util::workspace_root();
    let mut failures = Vec::new();
    let mut checked = 0;
    for (name, target) in targets(&root)? {
        let graph = Graph::load(&target, &Disk)?;
        checked += 1;
        let cycles = graph.cycles();
        failures.extend(cycles.iter().map(|cycle| format!("{name}: import cycle: {cycle}")));
        for layer in LAYERS.iter().filter(|l| l.krate == name) {
            failures.extend(graph.layer_violations(layer).into_iter().map(|v| format!("{name}: {v}")));
        }
    }
    if !failures.is_empty() {
        bail!("{}", failures.join("\n"));
    }
    println!("    {checked} crate targets: no import cycle, layers respected");
    Ok(())
}

/// Every crate target of the workspace: its package name and root file.
fn targets(root: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut dirs: Vec<PathBuf> = vec![root.join("xtask"), root.join("xtask/bench"), root.join("tests")];
    for entry in std::fs::read_dir(root.join("crates"))? {
        dirs.push(entry?.path());
    }
    dirs.sort();
    let mut targets = Vec::new();
    for dir in dirs {
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml"))?;
        let Some(name) = manifest
            .lines()
            .find_map(|l| l.trim().strip_prefix("name = \"").and_then(|rest| rest.strip_suffix('"')))
        else {
            bail!("{}: no package name", dir.display());
        };
        for file in ["src/lib.rs", "src/main.rs"] {
            let path = dir.join(file);
            if path.exists() {
                targets.push((name.to_owned(), path));
            }
        }
    }
    Ok(targets)
}

/// Where source text comes from (the disk, or a test's files).
trait Source {
    fn read(&self, path: &Path) -> Option<String>;
}

struct Disk;

impl Source for Disk {
    fn read(&self, path: &Path) -> Option<String> {
        std::fs::read_to_string(path).ok()
    }
}

/// A `use` of a module: what it names, under which name (`None`: a glob).
struct Use {
    target: Vec<String>,
    alias: Option<String>,
    reexport: bool,
}

#[derive(Default)]
struct Module {
    /// `gateway::checks`; empty for the crate root.
    path: Vec<String>,
    parent: Option<usize>,
    /// The module whose file this module is written in (itself when it has a file).
    file: usize,
    children: BTreeMap<String, usize>,
    items: BTreeSet<String>,
    uses: Vec<Use>,
    /// The paths its code names, as written.
    refs: Vec<Vec<String>>,
}

/// The modules of one crate target, and what each names.
struct Graph {
    modules: Vec<Module>,
}

/// The first segment of a path written with a leading `::` (an external crate).
const EXTERNAL: &str = "::";

impl Graph {
    fn load(root: &Path, source: &dyn Source) -> Result<Graph> {
        let mut graph = Graph { modules: vec![Module::default()] };
        let dir = root.parent().unwrap_or(Path::new(".")).to_path_buf();
        graph.load_file(0, root, dir, source)?;
        Ok(graph)
    }

    fn load_file(&mut self, module: usize, path: &Path, dir: PathBuf, source: &dyn Source) -> Result {
        let Some(text) = source.read(path) else { bail!("cannot read {}", path.display()) };
        let file = syn::parse_file(&text).map_err(|e| Failure(format!("{}: {e}", path.display())))?;
        self.load_items(module, &file.items, &dir, source)
    }

    fn load_items(&mut self, module: usize, items: &[syn::Item], dir: &Path, source: &dyn Source) -> Result {
        for item in items {
            if is_test(item_attrs(item)) {
                continue;
            }
            match item {
                syn::Item::Mod(m) => {
                    let name = m.ident.to_string();
                    let child = self.modules.len();
                    let mut path = self.modules[module].path.clone();
                    path.push(name.clone());
                    let file = if m.content.is_some() { self.modules[module].file } else { child };
                    self.modules.push(Module { path, parent: Some(module), file, ..Module::default() });
                    self.modules[module].children.insert(name.clone(), child);
                    let child_dir = dir.join(&name);
                    match &m.content {
                        Some((_, items)) => self.load_items(child, items, &child_dir, source)?,
                        None => {
                            let flat = dir.join(format!("{name}.rs"));
                            let (file, next) = if source.read(&flat).is_some() {
                                (flat, child_dir)
                            } else {
                                (child_dir.join("mod.rs"), child_dir)
                            };
                            self.load_file(child, &file, next, source)?;
                        }
                    }
                }
                syn::Item::Use(u) => {
                    let reexport = !matches!(u.vis, syn::Visibility::Inherited);
                    let mut found = Vec::new();
                    use_tree(&u.tree, &mut Vec::new(), &mut found);
                    for (target, alias) in found {
                        self.modules[module].uses.push(Use { target, alias, reexport });
                    }
                }
                other => {
                    if let Some(name) = item_name(other) {
                        self.modules[module].items.insert(name);
                    }
                    let mut refs = Refs::default();
                    refs.visit_item(other);
                    self.modules[module].refs.extend(refs.paths);
                }
            }
        }
        Ok(())
    }

    /// The module that defines what `path`, named in `from`, names; `None` when outside the
    /// crate.
    fn resolve(&self, from: usize, path: &[String], depth: usize) -> Option<usize> {
        if depth > 32 {
            return None;
        }
        let (first, rest) = path.split_first()?;
        let module = &self.modules[from];
        match first.as_str() {
            EXTERNAL => None,
            "crate" => self.walk(0, rest, depth),
            "self" => self.walk(from, rest, depth),
            "super" => self.walk(module.parent?, rest, depth),
            _ => {
                if module.children.contains_key(first) || module.items.contains(first) {
                    return self.walk(from, path, depth);
                }
                if let Some(u) = module.uses.iter().find(|u| u.alias.as_deref() == Some(first)) {
                    let full: Vec<String> = u.target.iter().chain(rest).cloned().collect();
                    return self.resolve(from, &full, depth + 1);
                }
                self.through_globs(from, path, depth)
            }
        }
    }

    /// `path` looked up inside module `module`.
    fn walk(&self, module: usize, path: &[String], depth: usize) -> Option<usize> {
        let Some((first, rest)) = path.split_first() else { return Some(module) };
        let m = &self.modules[module];
        if let Some(&child) = m.children.get(first) {
            return self.walk(child, rest, depth);
        }
        if m.items.contains(first) {
            return Some(module);
        }
        if let Some(u) = m.uses.iter().find(|u| u.alias.as_deref() == Some(first)) {
            let full: Vec<String> = u.target.iter().chain(rest).cloned().collect();
            return self.resolve(module, &full, depth + 1);
        }
        // An item this reader does not see (made by a macro, say): the module it is in.
        Some(self.through_globs(module, path, depth).unwrap_or(module))
    }

    fn through_globs(&self, module: usize, path: &[String], depth: usize) -> Option<usize> {
        self.modules[module].uses.iter().filter(|u| u.alias.is_none()).find_map(|u| {
            let full: Vec<String> = u.target.iter().chain(path).cloned().collect();
            let found = self.resolve(module, &full, depth + 1)?;
            // A glob of an external crate gives nothing in this crate.
            let target = self.resolve(module, &u.target, depth + 1)?;
            (found != target || self.modules[target].items.contains(&path[0])).then_some(found)
        })
    }

    /// Whether `name`, first in a path written in `module`, may name something of this crate.
    fn local_start(&self, module: usize, name: &str) -> bool {
        let m = &self.modules[module];
        matches!(name, "crate" | "self" | "super")
            || m.children.contains_key(name)
            || m.uses.iter().any(|u| u.alias.as_deref() == Some(name))
            || m.uses.iter().any(|u| u.alias.is_none())
    }

    /// The edges between file modules: `from -> to` with a path that makes each.
    fn edges(&self) -> BTreeMap<usize, BTreeMap<usize, String>> {
        let mut edges: BTreeMap<usize, BTreeMap<usize, String>> = BTreeMap::new();
        for (index, module) in self.modules.iter().enumerate() {
            let mut add = |path: &[String]| {
                if let Some(to) = self.resolve(index, path, 0) {
                    let (from, to) = (module.file, self.modules[to].file);
                    if from != to && !self.modules[to].path.starts_with(&self.modules[from].path) {
                        edges.entry(from).or_default().entry(to).or_insert_with(|| path.join("::"));
                    }
                }
            };
            for u in module.uses.iter().filter(|u| !u.reexport) {
                add(&u.target);
            }
            for path in &module.refs {
                if path.first().is_some_and(|first| self.local_start(index, first)) {
                    add(path);
                }
            }
        }
        edges
    }

    fn name(&self, module: usize) -> String {
        match self.modules[module].path.as_slice() {
            [] => "crate".to_owned(),
            path => path.join("::"),
        }
    }

    /// Each import cycle (one per strongly connected group of modules), as
    /// `a -> b (crate::b::X) -> a (super::Y)`.
    fn cycles(&self) -> Vec<String> {
        let edges = self.edges();
        let mut out = Vec::new();
        for group in strongly_connected(&edges) {
            if group.len() < 2 {
                continue;
            }
            let start = group[0];
            // The shortest way back to `start` within the group.
            let mut came_from: BTreeMap<usize, usize> = BTreeMap::new();
            let mut queue = VecDeque::from([start]);
            let mut back = None;
            while let Some(node) = queue.pop_front() {
                for &next in edges.get(&node).into_iter().flat_map(BTreeMap::keys) {
                    if !group.contains(&next) {
                        continue;
                    }
                    if next == start {
                        back = Some(node);
                        break;
                    }
                    if let std::collections::btree_map::Entry::Vacant(e) = came_from.entry(next) {
                        e.insert(node);
                        queue.push_back(next);
                    }
                }
                if back.is_some() {
                    break;
                }
            }
            let mut chain = vec![start];
            let mut node = back.unwrap_or(start);
            while node != start {
                chain.push(node);
                node = came_from[&node];
            }
            chain[1..].reverse();
            chain.push(start);
            let mut text = self.name(start);
            for pair in chain.windows(2) {
                text.push_str(&format!(" -> {} ({})", self.name(pair[1]), edges[&pair[0]][&pair[1]]));
            }
            let others: Vec<String> = group.iter().map(|&m| self.name(m)).collect();
            out.push(format!("{text}; modules in the cycle: {}", others.join(", ")));
        }
        out
    }

    /// What breaks `layer`: a crate it must not name, a module above it that it reaches.
    fn layer_violations(&self, layer: &Layer) -> Vec<String> {
        let under = |m: &Module, top: &str| m.path.first().is_some_and(|first| first == top);
        let mut out = Vec::new();
        for (index, module) in self.modules.iter().enumerate().filter(|(_, m)| under(m, layer.layer)) {
            // A one-segment path in code is a local variable or an imported name.
            let named =
                module.uses.iter().map(|u| &u.target).chain(module.refs.iter().filter(|p| p.len() > 1));
            for path in named {
                let first = path.iter().find(|s| *s != EXTERNAL).map(String::as_str).unwrap_or_default();
                let local = path[0] != EXTERNAL
                    && (module.children.contains_key(first) || module.items.contains(first));
                if layer.crates.contains(&first) && !local {
                    out.push(format!(
                        "{} names `{}`: {} uses none of {}",
                        self.name(index),
                        path.join("::"),
                        layer.layer,
                        layer.crates.join(", ")
                    ));
                }
            }
        }
        for (from, tos) in self.edges() {
            if !under(&self.modules[from], layer.layer) {
                continue;
            }
            for (to, via) in tos {
                if let Some(top) = layer.above.iter().find(|top| under(&self.modules[to], top)) {
                    out.push(format!(
                        "{} reaches {} ({via}): {} is below {top}",
                        self.name(from),
                        self.name(to),
                        layer.layer
                    ));
                }
            }
        }
        out
    }
}

/// Tarjan's strongly connected components of `edges`.
fn strongly_connected(edges: &BTreeMap<usize, BTreeMap<usize, String>>) -> Vec<Vec<usize>> {
    struct State<'e> {
        edges: &'e BTreeMap<usize, BTreeMap<usize, String>>,
        index: BTreeMap<usize, usize>,
        low: BTreeMap<usize, usize>,
        stack: Vec<usize>,
        on_stack: BTreeSet<usize>,
        groups: Vec<Vec<usize>>,
    }
    fn visit(s: &mut State<'_>, node: usize) {
        let n = s.index.len();
        s.index.insert(node, n);
        s.low.insert(node, n);
        s.stack.push(node);
        s.on_stack.insert(node);
        let nexts: Vec<usize> = s.edges.get(&node).into_iter().flat_map(|m| m.keys().copied()).collect();
        for next in nexts {
            if !s.index.contains_key(&next) {
                visit(s, next);
                let low = s.low[&node].min(s.low[&next]);
                s.low.insert(node, low);
            } else if s.on_stack.contains(&next) {
                let low = s.low[&node].min(s.index[&next]);
                s.low.insert(node, low);
            }
        }
        if s.low[&node] == s.index[&node] {
            let mut group = Vec::new();
            while let Some(top) = s.stack.pop() {
                s.on_stack.remove(&top);
                group.push(top);
                if top == node {
                    break;
                }
            }
            group.sort_unstable();
            s.groups.push(group);
        }
    }
    let mut s = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        groups: Vec::new(),
    };
    let nodes: BTreeSet<usize> =
        edges.iter().flat_map(|(from, tos)| tos.keys().copied().chain([*from])).collect();
    for node in nodes {
        if !s.index.contains_key(&node) {
            visit(&mut s, node);
        }
    }
    s.groups
}

/// Every path a `use` tree names, with the name it is bound to (`None`: a glob).
fn use_tree(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<(Vec<String>, Option<String>)>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_tree(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) if n.ident == "self" => {
            out.push((prefix.clone(), prefix.last().cloned()));
        }
        syn::UseTree::Name(n) => {
            let mut path = prefix.clone();
            path.push(n.ident.to_string());
            out.push((path, Some(n.ident.to_string())));
        }
        syn::UseTree::Rename(r) => {
            let mut path = prefix.clone();
            if r.ident != "self" {
                path.push(r.ident.to_string());
            }
            out.push((path, Some(r.rename.to_string())));
        }
        syn::UseTree::Glob(_) => out.push((prefix.clone(), None)),
        syn::UseTree::Group(g) => {
            for tree in &g.items {
                use_tree(tree, prefix, out);
            }
        }
    }
}

fn is_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg") && a.meta.require_list().is_ok_and(|l| l.tokens.to_string() == "test")
    })
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::ExternCrate(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::TraitAlias(i) => &i.attrs,
        syn::Item::Type(i) => &i.attrs,
        syn::Item::Union(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

/// The name an item defines in its module.
fn item_name(item: &syn::Item) -> Option<String> {
    let ident = match item {
        syn::Item::Const(i) => &i.ident,
        syn::Item::Enum(i) => &i.ident,
        syn::Item::ExternCrate(i) => i.rename.as_ref().map_or(&i.ident, |(_, r)| r),
        syn::Item::Fn(i) => &i.sig.ident,
        syn::Item::Macro(i) => i.ident.as_ref()?,
        syn::Item::Static(i) => &i.ident,
        syn::Item::Struct(i) => &i.ident,
        syn::Item::Trait(i) => &i.ident,
        syn::Item::TraitAlias(i) => &i.ident,
        syn::Item::Type(i) => &i.ident,
        syn::Item::Union(i) => &i.ident,
        _ => return None,
    };
    Some(ident.to_string())
}

/// The paths named in an item's code (types, expressions, patterns, macro calls, `use`s
/// inside function bodies), test code left out.
#[derive(Default)]
struct Refs {
    paths: Vec<Vec<String>>,
}

impl<'ast> Visit<'ast> for Refs {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        let mut segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if path.leading_colon.is_some() {
            segments.insert(0, EXTERNAL.to_owned());
        }
        self.paths.push(segments);
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.visit_path(&mac.path);
        token_paths(mac.tokens.clone(), &mut self.paths);
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let mut found = Vec::new();
        use_tree(&u.tree, &mut Vec::new(), &mut found);
        self.paths.extend(found.into_iter().map(|(path, _)| path));
    }

    fn visit_item(&mut self, item: &'ast syn::Item) {
        // `macro_rules!` bodies are templates, not code of this module.
        if !is_test(item_attrs(item)) && !matches!(item, syn::Item::Macro(m) if m.ident.is_some()) {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !is_test(&f.attrs) {
            syn::visit::visit_impl_item_fn(self, f);
        }
    }

    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {}
}

/// The paths (`a::b::c`, `::a::b`) in a macro call's tokens.
fn token_paths(tokens: TokenStream, out: &mut Vec<Vec<String>>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let colons = |i: usize| {
        matches!((tokens.get(i), tokens.get(i + 1)), (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
            if a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':')
    };
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            TokenTree::Group(g) => {
                token_paths(g.stream(), out);
                i += 1;
            }
            TokenTree::Ident(first) => {
                let leading = i >= 2 && colons(i - 2);
                let mut path = Vec::new();
                if leading {
                    path.push(EXTERNAL.to_owned());
                }
                path.push(first.to_string());
                i += 1;
                while colons(i) {
                    match tokens.get(i + 2) {
                        Some(TokenTree::Ident(next)) => {
                            path.push(next.to_string());
                            i += 3;
                        }
                        _ => break,
                    }
                }
                out.push(path);
            }
            _ => i += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A crate made of these files, under `src/`.
    struct Files(BTreeMap<PathBuf, String>);

    impl Source for Files {
        fn read(&self, path: &Path) -> Option<String> {
            self.0.get(path).cloned()
        }
    }

    fn graph(files: &[(&str, &str)]) -> Graph {
        let files = Files(files.iter().map(|(p, t)| (Path::new("src").join(p), (*t).to_owned())).collect());
        Graph::load(Path::new("src/lib.rs"), &files).unwrap()
    }

    #[test]
    fn a_cycle_through_a_root_re_export_is_found() {
        let g = graph(&[
            ("lib.rs", "mod a; mod b; pub use b::Thing; pub use a::Other;"),
            ("a.rs", "use crate::Thing; pub struct Other; fn f(_: Thing) {}"),
            ("b.rs", "pub struct Thing; fn g() -> crate::Other { todo!() }"),
        ]);
        let cycles = g.cycles();
        assert_eq!(cycles.len(), 1, "{cycles:?}");
        assert!(cycles[0].starts_with("a -> b (crate::Thing) -> a (crate::Other)"), "{}", cycles[0]);
    }

    #[test]
    fn re_exports_alone_make_no_edge_and_facades_are_transparent() {
        let g = graph(&[
            ("lib.rs", "mod model; mod gateway; pub use gateway::Verifier; pub use model::Entry;"),
            ("model/mod.rs", "mod log; pub use log::Entry;"),
            ("model/log.rs", "pub struct Entry;"),
            ("gateway/mod.rs", "mod verifier; pub(crate) use verifier::Verifier;"),
            ("gateway/verifier.rs", "use crate::model::Entry; pub struct Verifier(Entry);"),
        ]);
        assert!(g.cycles().is_empty(), "{:?}", g.cycles());
        let edges = g.edges();
        let names: Vec<(String, String)> = edges
            .iter()
            .flat_map(|(f, tos)| tos.keys().map(move |t| (*f, *t)))
            .map(|(f, t)| (g.name(f), g.name(t)))
            .collect();
        assert_eq!(names, [("gateway::verifier".to_owned(), "model::log".to_owned())]);
    }

    #[test]
    fn super_paths_glob_re_exports_and_macro_tokens_are_followed() {
        let g = graph(&[
            ("lib.rs", "mod outer;"),
            ("outer/mod.rs", "mod a; mod b; pub use b::*;"),
            ("outer/a.rs", "pub struct A; pub fn g() { let _ = format!(\"{:?}\", super::B); }"),
            ("outer/b.rs", "pub struct B; fn f() { super::a::g(); }"),
        ]);
        let cycles = g.cycles();
        assert_eq!(cycles.len(), 1, "{cycles:?}");
        assert!(cycles[0].contains("outer::a -> outer::b (super::B)"), "{}", cycles[0]);
        assert!(cycles[0].contains("outer::a (super::a::g)"), "{}", cycles[0]);

        // A parent made of its children may use them while they use what it defines.
        let g = graph(&[
            ("lib.rs", "mod outer;"),
            ("outer/mod.rs", "mod inner; pub struct Top; fn f() { inner::g(); }"),
            ("outer/inner.rs", "pub fn g() { let _ = super::Top; }"),
        ]);
        assert!(g.cycles().is_empty(), "{:?}", g.cycles());

        let g = graph(&[
            ("lib.rs", "mod a; mod b; pub use b::*;"),
            ("a.rs", "pub struct A; fn f() { crate::B; }"),
            ("b.rs", "pub struct B; fn g() { let _: Option<crate::a::A> = None; }"),
        ]);
        assert_eq!(g.cycles().len(), 1, "a glob re-export is followed");
    }

    #[test]
    fn test_code_and_local_names_do_not_count() {
        let g = graph(&[
            ("lib.rs", "mod a; mod b;"),
            ("a.rs", "pub struct A; fn f() { crate::b::g(); }"),
            (
                "b.rs",
                "pub fn g() { let tokio = 1; let _ = tokio; }\n#[cfg(test)] mod tests { use crate::a::A; }\n\
                 #[cfg(test)] fn h() -> crate::a::A { todo!() }",
            ),
        ]);
        assert!(g.cycles().is_empty(), "{:?}", g.cycles());
    }

    #[test]
    fn layers_name_no_io_crate_and_reach_no_layer_above() {
        let g = graph(&[
            ("lib.rs", "mod model; mod server;"),
            ("model/mod.rs", "mod log; use ::tokio::sync::watch; pub(crate) fn f() { crate::server::g(); }"),
            ("model/log.rs", "pub fn h() { let _ = hyper::Body::empty(); }"),
            ("server.rs", "pub fn g() {}"),
        ]);
        let layer = Layer { krate: "x", layer: "model", crates: IO_CRATES, above: &["server"] };
        let violations = g.layer_violations(&layer);
        assert_eq!(violations.len(), 3, "{violations:?}");
        assert!(violations[0].contains("model names `tokio::sync::watch`"), "{}", violations[0]);
        assert!(violations[1].contains("model::log names `hyper::Body::empty`"), "{}", violations[1]);
        assert!(violations[2].contains("model reaches server (crate::server::g)"), "{}", violations[2]);
    }

    #[test]
    fn the_workspace_passes() {
        check().unwrap();
    }
}
