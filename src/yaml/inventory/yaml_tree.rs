//! A YAML document as a tree of nodes that keep what Ansible's reader
//! (PyYAML) decides on and serde's YAML crates throw away: whether a
//! scalar was plain or quoted (`yes` is a boolean, `"yes"` a string, in
//! YAML 1.1), its tag, and its position (for warnings).
//!
//! Built from saphyr-parser's events. Aliases are copied (as PyYAML
//! shares them); the copies are bounded so that a "billion laughs"
//! document is an error, not unbounded memory, and nesting is bounded so
//! that nothing recurses without limit on a hostile file.

use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use std::collections::HashMap;

/// One node and where it starts (1-based line and column).
#[derive(Debug, Clone)]
pub struct Node {
    pub kind: Kind,
    pub line: usize,
    pub col: usize,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Scalar {
        text: String,
        /// Plain (unquoted, not a block scalar): resolved by its text.
        plain: bool,
        /// `!vault`, `!!str`… as `handle` + `suffix`.
        tag: Option<String>,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The node's text when it is a plain, untagged scalar.
    pub fn plain_text(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar {
                text,
                plain: true,
                tag: None,
            } => Some(text),
            _ => None,
        }
    }

    fn size(&self) -> usize {
        match &self.kind {
            Kind::Scalar { .. } => 1,
            Kind::Seq(items) => 1 + items.iter().map(Node::size).sum::<usize>(),
            Kind::Map(pairs) => {
                1 + pairs
                    .iter()
                    .map(|(k, v)| k.size() + v.size())
                    .sum::<usize>()
            }
        }
    }
}

/// Nodes a document may hold once aliases are copied.
const MAX_NODES: usize = 1_000_000;
/// Nesting deeper than this is refused.
const MAX_DEPTH: usize = 256;

/// A collection being built.
enum Open {
    Seq(Node, Vec<Node>),
    Map(Node, Vec<(Node, Node)>, Option<Node>),
}

struct Builder {
    stack: Vec<(Open, usize)>,
    anchors: HashMap<usize, Node>,
    nodes: usize,
    root: Option<Node>,
}

/// The document's root node (an empty document is a null scalar); more
/// than one document is an error, as for Ansible.
pub fn parse(text: &str) -> Result<Node, String> {
    let mut b = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        root: None,
    };
    let mut documents = 0;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| {
            let m = e.marker();
            format!("line {} column {}: {}", m.line(), m.col() + 1, e.info())
        })?;
        match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(format!(
                        "line {}: a second YAML document (`---`); a vars or inventory file holds one",
                        span.start.line()
                    ));
                }
            }
            other => b.event(other, span)?,
        }
    }
    Ok(b.root.unwrap_or(Node {
        kind: Kind::Scalar {
            text: String::new(),
            plain: true,
            tag: None,
        },
        line: 1,
        col: 1,
    }))
}

/// `!vault`, `!!str` (saphyr expands `!!` to the YAML namespace).
fn tag_text(tag: Option<&saphyr_parser::Tag>) -> Option<String> {
    tag.map(|t| {
        let handle = match t.handle.as_str() {
            "tag:yaml.org,2002:" => "!!",
            h => h,
        };
        format!("{handle}{}", t.suffix)
    })
}

impl Builder {
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), String> {
        let at = |kind| Node {
            kind,
            line: span.start.line(),
            col: span.start.col() + 1,
        };
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let node = at(Kind::Scalar {
                    text: text.into_owned(),
                    plain: style == ScalarStyle::Plain,
                    tag: tag_text(tag.as_deref()),
                });
                self.done(node, anchor)
            }
            Event::Alias(id) => {
                let node = self
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| format!("line {}: an unknown alias", span.start.line()))?;
                self.nodes += node.size();
                if self.nodes > MAX_NODES {
                    return Err("the document expands to too many nodes through its aliases".into());
                }
                self.done(node, 0)
            }
            Event::SequenceStart(anchor, tag) => self.open(
                Open::Seq(at(Kind::Seq(Vec::new())), Vec::new()),
                anchor,
                tag,
            ),
            Event::MappingStart(anchor, tag) => self.open(
                Open::Map(at(Kind::Map(Vec::new())), Vec::new(), None),
                anchor,
                tag,
            ),
            Event::SequenceEnd | Event::MappingEnd => {
                let (open, anchor) = self.stack.pop().ok_or("unbalanced YAML events")?;
                let node = match open {
                    Open::Seq(mut node, items) => {
                        node.kind = Kind::Seq(items);
                        node
                    }
                    Open::Map(mut node, pairs, _) => {
                        node.kind = Kind::Map(pairs);
                        node
                    }
                };
                self.done(node, anchor)
            }
            _ => Ok(()),
        }
    }

    fn open(
        &mut self,
        open: Open,
        anchor: usize,
        tag: Option<std::borrow::Cow<'_, saphyr_parser::Tag>>,
    ) -> Result<(), String> {
        if let Some(t) = tag_text(tag.as_deref())
            && t != "!!map"
            && t != "!!seq"
        {
            return Err(format!(
                "the YAML tag {t} is an Ansible feature supc does not support"
            ));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err("the document is nested too deeply".into());
        }
        self.stack.push((open, anchor));
        Ok(())
    }

    /// A finished node goes into its parent (or is the root).
    fn done(&mut self, node: Node, anchor: usize) -> Result<(), String> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err("the document has too many nodes".into());
        }
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some((Open::Seq(_, items), _)) => items.push(node),
            Some((Open::Map(_, pairs, key), _)) => match key.take() {
                None => *key = Some(node),
                Some(k) => pairs.push((k, node)),
            },
        }
        Ok(())
    }
}
