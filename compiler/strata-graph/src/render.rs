//! Mermaid and Graphviz DOT renderings of the graph. Node ids are synthetic (`n0`, `n1`, ... by
//! resource id) so no resource name can break the syntax; labels are escaped for each format.
//! Resources are grouped in a subgraph per stack and, inside it, per module instance (the name
//! prefix before the last `.` outside brackets: `blog.bucket` → `blog`).

use crate::{EdgeKind, ResourceGraph};
use std::collections::BTreeMap;
use std::fmt::Write;
use strata_model::{Model, Resource};

/// The module instance part of a qualified name: `blog` for `blog.bucket`, `a.b` for `a.b.c`,
/// none for `db` or `queues["x.y"]`.
pub(crate) fn module_prefix(name: &str) -> Option<&str> {
    let mut depth = 0i32;
    let mut in_str = false;
    let mut last = None;
    let mut prev = '\0';
    for (i, c) in name.char_indices() {
        match c {
            '"' if prev != '\\' && depth > 0 => in_str = !in_str,
            '[' if !in_str => depth += 1,
            ']' if !in_str => depth -= 1,
            '.' if depth == 0 && !in_str => last = Some(i),
            _ => {}
        }
        prev = c;
    }
    last.map(|i| &name[..i])
}

/// Groups: stack (None = no stack) → module prefix (None = top level) → resources.
type Groups<'m> = BTreeMap<Option<usize>, BTreeMap<Option<&'m str>, Vec<&'m Resource>>>;

fn groups(model: &Model) -> Groups<'_> {
    let mut out: Groups<'_> = BTreeMap::new();
    for r in &model.resources {
        let stack = r.stack.filter(|&s| s < model.stacks.len());
        out.entry(stack)
            .or_default()
            .entry(module_prefix(&r.name))
            .or_default()
            .push(r);
    }
    out
}

fn mermaid_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn dot_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A Mermaid `flowchart LR` of the model, for a fenced ```` ```mermaid ```` block (GitHub renders
/// it). Reference edges are solid, `depends_on` edges dotted. Deterministic.
pub fn to_mermaid(model: &Model, graph: &ResourceGraph) -> String {
    let mut out = String::from("flowchart LR\n");
    for (stack, modules) in groups(model) {
        let (indent, sid) = match stack {
            Some(s) => {
                let st = &model.stacks[s];
                let _ = writeln!(
                    out,
                    "  subgraph s{s}[\"{} ({})\"]",
                    mermaid_text(&st.name),
                    st.provider.as_str()
                );
                ("    ", format!("s{s}"))
            }
            None => ("  ", "t".to_string()),
        };
        for (mi, (module, resources)) in modules.iter().enumerate() {
            let inner = match module {
                Some(m) => {
                    let _ = writeln!(out, "{indent}subgraph {sid}m{mi}[\"{}\"]", mermaid_text(m));
                    format!("{indent}  ")
                }
                None => indent.to_string(),
            };
            for r in resources {
                let _ = writeln!(
                    out,
                    "{inner}n{}[\"{}<br/>{}\"]",
                    r.id.0,
                    mermaid_text(&r.name),
                    mermaid_text(&r.ty)
                );
            }
            if module.is_some() {
                let _ = writeln!(out, "{indent}end");
            }
        }
        if stack.is_some() {
            out.push_str("  end\n");
        }
    }
    for (from, to, e) in graph.edges() {
        let arrow = match e.kind {
            EdgeKind::Reference => "-->",
            EdgeKind::Explicit => "-.->",
        };
        let _ = writeln!(out, "  n{} {arrow} n{}", from.0, to.0);
    }
    out
}

/// A Graphviz DOT digraph of the model (`dot -Tsvg`). Stacks and module instances are clusters;
/// `depends_on` edges are dashed. Deterministic.
pub fn to_dot(model: &Model, graph: &ResourceGraph) -> String {
    let mut out = String::from(
        "digraph strata {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n",
    );
    let mut cluster = 0usize;
    for (stack, modules) in groups(model) {
        let indent = match stack {
            Some(s) => {
                let st = &model.stacks[s];
                let _ = writeln!(
                    out,
                    "  subgraph cluster_{cluster} {{\n    label=\"{} ({})\";",
                    dot_text(&st.name),
                    st.provider.as_str()
                );
                cluster += 1;
                "    "
            }
            None => "  ",
        };
        for (module, resources) in &modules {
            let inner = match module {
                Some(m) => {
                    let _ = writeln!(
                        out,
                        "{indent}subgraph cluster_{cluster} {{\n{indent}  label=\"{}\";",
                        dot_text(m)
                    );
                    cluster += 1;
                    format!("{indent}  ")
                }
                None => indent.to_string(),
            };
            for r in resources {
                let _ = writeln!(
                    out,
                    "{inner}n{} [label=\"{}\\n{}\"];",
                    r.id.0,
                    dot_text(&r.name),
                    dot_text(&r.ty)
                );
            }
            if module.is_some() {
                let _ = writeln!(out, "{indent}}}");
            }
        }
        if stack.is_some() {
            out.push_str("  }\n");
        }
    }
    for (from, to, e) in graph.edges() {
        match e.kind {
            EdgeKind::Reference => {
                let _ = writeln!(out, "  n{} -> n{};", from.0, to.0);
            }
            EdgeKind::Explicit => {
                let _ = writeln!(out, "  n{} -> n{} [style=dashed];", from.0, to.0);
            }
        }
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_prefixes() {
        assert_eq!(module_prefix("db"), None);
        assert_eq!(module_prefix("blog.bucket"), Some("blog"));
        assert_eq!(module_prefix("a.b.c"), Some("a.b"));
        assert_eq!(module_prefix("queues[\"x.y\"]"), None);
        assert_eq!(module_prefix("site[\"a.b\"].bucket"), Some("site[\"a.b\"]"));
    }

    #[test]
    fn escaping() {
        assert_eq!(
            mermaid_text("q[\"a\"]<b>&#`"),
            "q[#quot;a#quot;]#lt;b#gt;#amp;#35;#96;"
        );
        assert_eq!(dot_text("a\"b\\c"), "a\\\"b\\\\c");
    }
}
