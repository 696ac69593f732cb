//! How a hit's score was made (`search --explain`): a tree whose root is
//! the hit's score and whose every inner node is the sum of its parts, down
//! to leaves that each name one piece of evidence (a word's BM25 in one
//! field, a phrase, a proximity pair, the title's part) with the figures
//! that made it.
//!
//! The tree is read from Tantivy's [`Explanation`] of the query that found
//! the hit ([`tantivy::query::Weight::explain`]), computed only for the
//! hits returned and only when asked, with the same BM25 statistics as the
//! search. Tantivy's own nodes are recognised and renamed (a Boolean sum, a
//! boost, a term's or phrase's BM25, a constant); a node of a query this
//! module does not know keeps Tantivy's description, so a new
//! Tantivy-query part (a fuzzy term, another field) shows up without work
//! here.
//!
//! # How a custom scoring step must report itself
//!
//! A newsdex [`Weight`](tantivy::query::Weight) that scores
//! differently from the Tantivy queries it wraps must implement `explain`
//! so that its value is the document's score exactly as its scorer gives
//! it (the same score as `for_each_pruning`, which must not differ from
//! the plain scorer's), and describe its parts with [`group`] (a named sum
//! of parts), [`label`] (a name for one part) and [`boost`] (a part
//! multiplied by a constant), over the explanations of the weights it
//! wraps or of its [`Bm25Weight`](tantivy::query::Bm25Weight)s (their
//! `explain`, unboosted, under [`boost`]). A weight that only delegates to
//! the query it stands for may delegate `explain` too. A scoring step
//! outside a Tantivy query (in a collector, or a combination of several
//! searches) must add its own node where `search` builds the tree
//! ([`for_hit`]), with the combination it applies, and keep the rule
//! below.
//!
//! The rule a test checks for every hit of several queries: the root's
//! value is the hit's score, and each node with parts has the sum of its
//! parts' values as its own (to 1e-4).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tantivy::query::Explanation;
use tantivy::schema::{Field, Schema};
use tantivy::Score;

/// One node of the tree: its value, what it is, and the parts it sums.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explain {
    /// This part's contribution to the score.
    pub value: f32,
    /// What it is, readable: `body "maduro": BM25 tf=2 …`.
    pub description: String,
    /// The parts whose values add up to `value` (empty for a leaf).
    #[serde(default)]
    pub details: Vec<Explain>,
}

/// A description's mark for a named sum made by [`group`].
const NAMED: &str = "newsdex group: ";
/// A description's mark for a name given by [`label`].
const LABEL: &str = "newsdex label: ";
/// The description of an unnamed sum made by [`sum`].
const SUM: &str = "newsdex sum";

/// A named sum: `parts` add up to `value`.
pub fn group(name: &str, value: Score, parts: Vec<Explanation>) -> Explanation {
    let mut explanation = Explanation::new_with_string(format!("{NAMED}{name}"), value);
    for part in parts {
        explanation.add_detail(part);
    }
    explanation
}

/// `inner` under a name (its value unchanged): a piece of evidence
/// (a term's or phrase's BM25) takes the name as its own.
pub fn label(name: &str, inner: Explanation) -> Explanation {
    let mut explanation = Explanation::new_with_string(format!("{LABEL}{name}"), inner.value());
    explanation.add_detail(inner);
    explanation
}

/// An unnamed sum: `parts` add up to `value`, and stand as parts of the
/// sum this one is part of.
pub fn sum(value: Score, parts: Vec<Explanation>) -> Explanation {
    let mut explanation = Explanation::new(SUM, value);
    for part in parts {
        explanation.add_detail(part);
    }
    explanation
}

/// The score `weight` gives `doc`, or the error Tantivy gives for a
/// document that does not match.
pub fn score_of(
    weight: &dyn tantivy::query::Weight,
    reader: &tantivy::SegmentReader,
    doc: tantivy::DocId,
) -> tantivy::Result<Score> {
    use tantivy::DocSet;
    let mut scorer = weight.scorer(reader, 1.0)?;
    if scorer.doc() > doc || scorer.seek(doc) != doc {
        return Err(tantivy::TantivyError::InvalidArgument(format!(
            "Document #({doc}) does not match"
        )));
    }
    Ok(scorer.score())
}

/// `inner` multiplied by `factor`, as Tantivy's `BoostQuery` explains it.
pub fn boost(factor: Score, inner: Explanation) -> Explanation {
    if factor == 1.0 {
        return inner;
    }
    let mut explanation =
        Explanation::new_with_string(format!("Boost x{factor} of ..."), inner.value() * factor);
    explanation.add_detail(inner);
    explanation
}

/// With `--articles`: the whole article's part of an article's score, its
/// weight and each word's part per field (value, name, figures), unweighted.
pub struct WholeArticle {
    /// The weight of the whole article's BM25 in the article's score.
    pub weight: Score,
    /// Each word's BM25 per field: value, name (`body "word"`), figures.
    pub parts: Vec<(Score, String, String)>,
}

/// The tree of a hit: `explanation` is Tantivy's for the hit's passage
/// under the query that found it; with `--articles` (`articles`) the hit
/// is an article whose score is its best passage's, passage `passage`,
/// plus `whole`, its whole text's part.
pub fn for_hit(
    explanation: &Explanation,
    schema: &Schema,
    articles: bool,
    passage: u64,
    whole: Option<WholeArticle>,
) -> Explain {
    let json = serde_json::to_value(explanation).unwrap_or(Value::Null);
    let field_name = |id: u32| {
        let name = schema.get_field_name(Field::from_field_id(id));
        match name {
            "body_words" => "body (as written)".to_owned(),
            name => name.to_owned(),
        }
    };
    let node = convert(&json, &field_name).unwrap_or(Node::Group {
        value: explanation.value(),
        name: None,
        parts: Vec::new(),
    });
    let mut root = match node {
        Node::Group {
            name: None, parts, ..
        } => parts,
        node => vec![node],
    };
    let mut value = explanation.value();
    let mut name = match articles {
        true => format!("score of the article = its best passage, #{passage}"),
        false => format!("score of passage #{passage}"),
    };
    if let Some(whole) = whole.filter(|w| !w.parts.is_empty()) {
        let parts: Vec<Node> = whole
            .parts
            .into_iter()
            .map(|(value, name, figures)| Node::Leaf {
                value: value * whole.weight,
                name,
                factor: whole.weight,
                figures,
            })
            .collect();
        let sum: Score = parts.iter().map(Node::value).sum();
        value += sum;
        name.push_str(", and its whole text");
        root.push(Node::Group {
            value: sum,
            name: Some("whole article (its passages as one text, and its title)".into()),
            parts,
        });
    }
    name.push_str(" = sum of");
    Node::Group {
        value,
        name: Some(name),
        parts: root,
    }
    .into_explain()
}

/// A node while the tree is read.
#[derive(Debug, Clone)]
enum Node {
    /// A sum of parts; unnamed sums fold into the sum they are part of.
    Group {
        value: Score,
        name: Option<String>,
        parts: Vec<Node>,
    },
    /// One piece of evidence: its name, the factor it was multiplied by,
    /// and its figures.
    Leaf {
        value: Score,
        name: String,
        factor: Score,
        figures: String,
    },
}

impl Node {
    fn value(&self) -> Score {
        match self {
            Node::Group { value, .. } | Node::Leaf { value, .. } => *value,
        }
    }

    /// This node multiplied by `by`, down to its leaves.
    fn scaled(self, by: Score) -> Node {
        match self {
            Node::Group { value, name, parts } => Node::Group {
                value: value * by,
                name,
                parts: parts.into_iter().map(|p| p.scaled(by)).collect(),
            },
            Node::Leaf {
                value,
                name,
                factor,
                figures,
            } => Node::Leaf {
                value: value * by,
                name,
                factor: factor * by,
                figures,
            },
        }
    }

    fn into_explain(self) -> Explain {
        match self {
            Node::Group { value, name, parts } => Explain {
                value,
                description: name.unwrap_or_else(|| "sum of".to_owned()),
                details: parts.into_iter().map(Node::into_explain).collect(),
            },
            Node::Leaf {
                value,
                name,
                factor,
                figures,
            } => {
                let mut description = name;
                if factor != 1.0 {
                    description.push_str(&format!(" ×{}", number(factor)));
                }
                if !figures.is_empty() {
                    description.push_str(": ");
                    description.push_str(&figures);
                }
                Explain {
                    value,
                    description,
                    details: Vec::new(),
                }
            }
        }
    }
}

/// A number as short as it can be read: at most three decimals.
fn number(x: Score) -> String {
    let text = format!("{x:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_owned()
}

fn description(node: &Value) -> &str {
    node.get("description")
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn value_of(node: &Value) -> Score {
    node.get("value").and_then(Value::as_f64).unwrap_or(0.0) as Score
}

fn details(node: &Value) -> &[Value] {
    node.get("details")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn context(node: &Value) -> Vec<&str> {
    let context = node.get("context").and_then(Value::as_array);
    context
        .map(|c| c.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Whether `parts` add up to `value` (to 1e-4, relative to large values).
fn adds_up(value: Score, parts: &[Node]) -> bool {
    let sum: Score = parts.iter().map(Node::value).sum();
    (sum - value).abs() <= 1e-4 * value.abs().max(1.0)
}

/// Parts of a sum, with the unnamed sums among them folded in.
fn flattened(parts: Vec<Node>) -> Vec<Node> {
    let mut out = Vec::with_capacity(parts.len());
    for part in parts {
        match part {
            Node::Group {
                name: None, parts, ..
            } => out.extend(parts),
            part => out.push(part),
        }
    }
    out
}

/// The node a Tantivy explanation (as JSON) reads as; `None` for a part
/// that adds nothing and says nothing (a filter's constant 0).
fn convert(node: &Value, field_name: &dyn Fn(u32) -> String) -> Option<Node> {
    let value = value_of(node);
    let text = description(node);
    let parts = || -> Vec<Node> {
        let converted = details(node).iter().filter_map(|d| convert(d, field_name));
        flattened(converted.collect())
    };
    if let Some(name) = text.strip_prefix(NAMED) {
        return Some(Node::Group {
            value,
            name: Some(name.to_owned()),
            parts: parts(),
        });
    }
    if let Some(name) = text.strip_prefix(LABEL) {
        let mut parts = parts();
        return Some(match parts.as_slice() {
            // A name for one piece of evidence: the leaf's own.
            [Node::Leaf { .. }] => {
                let Some(Node::Leaf {
                    name: _,
                    factor,
                    figures,
                    value,
                }) = parts.pop()
                else {
                    unreachable!("one leaf");
                };
                Node::Leaf {
                    value,
                    name: name.to_owned(),
                    factor,
                    figures,
                }
            }
            _ => Node::Group {
                value,
                name: Some(name.to_owned()),
                parts,
            },
        });
    }
    if text.starts_with("BooleanClause. sum of") || text == SUM {
        let mut parts = parts();
        if parts.len() == 1 && adds_up(value, &parts) {
            return parts.pop();
        }
        return Some(Node::Group {
            value,
            name: None,
            parts,
        });
    }
    if let Some(factor) = text
        .strip_prefix("Boost x")
        .and_then(|rest| rest.strip_suffix(" of ..."))
        .and_then(|f| f.parse::<Score>().ok())
    {
        let inner = details(node).first()?;
        let mut scaled = convert(inner, field_name)?.scaled(factor);
        // Tantivy's product, to the bit.
        match &mut scaled {
            Node::Group { value: v, .. } | Node::Leaf { value: v, .. } => *v = value,
        }
        return Some(scaled);
    }
    if text.starts_with("TermQuery, product of") {
        let term = context(node).iter().find_map(|c| term_name(c, field_name));
        return Some(Node::Leaf {
            value,
            name: term.unwrap_or_else(|| "phrase".to_owned()),
            factor: 1.0,
            figures: bm25_figures(node),
        });
    }
    if text == "Phrase Scorer" || text == "Phrase Prefix Scorer" {
        let figures = details(node).first().map(bm25_figures).unwrap_or_default();
        let name = if text == "Phrase Scorer" {
            "phrase"
        } else {
            "phrase prefix"
        };
        return Some(Node::Leaf {
            value,
            name: name.to_owned(),
            factor: 1.0,
            figures,
        });
    }
    if text == "Const" && value == 0.0 {
        return None;
    }
    // A node this module does not know: Tantivy's description, and its
    // parts when they add up to it.
    let mut name = text.to_owned();
    for c in context(node) {
        name.push_str(&format!(" [{c}]"));
    }
    let parts = parts();
    if parts.is_empty() {
        return Some(Node::Leaf {
            value,
            name,
            factor: 1.0,
            figures: String::new(),
        });
    }
    if adds_up(value, &parts) {
        return Some(Node::Group {
            value,
            name: Some(name),
            parts,
        });
    }
    let figures: Vec<String> = parts
        .into_iter()
        .map(|p| {
            let explain = p.into_explain();
            format!("{} = {}", explain.description, number(explain.value))
        })
        .collect();
    Some(Node::Leaf {
        value,
        name,
        factor: 1.0,
        figures: figures.join("; "),
    })
}

/// `body "maduro"` from Tantivy's context `Term=Term(field=6, type=Str, "maduro")`.
fn term_name(context: &str, field_name: &dyn Fn(u32) -> String) -> Option<String> {
    let rest = context.strip_prefix("Term=Term(field=")?;
    let (id, rest) = rest.split_once(", type=")?;
    let id: u32 = id.parse().ok()?;
    let (_, text) = rest.split_once(", ")?;
    let text = text.strip_suffix(')')?;
    let text = serde_json::from_str::<String>(text).unwrap_or_else(|_| text.to_owned());
    Some(format!("{} \"{text}\"", field_name(id)))
}

/// The figures of a BM25 explanation (Tantivy's, after Lucene's):
/// `BM25 tf=2 dl=57 avgdl=43.1 idf=2.310 (in 3 of 120 passages)`.
fn bm25_figures(node: &Value) -> String {
    let find = |nodes: &[Value], start: &str| {
        nodes
            .iter()
            .find(|n| description(n).starts_with(start))
            .cloned()
    };
    let parts = details(node);
    let mut figures = vec!["BM25".to_owned()];
    if let Some(tf) = find(parts, "freq / (freq") {
        let tf_parts = details(&tf);
        for (start, name) in [("freq,", "tf"), ("dl,", "dl"), ("avgdl,", "avgdl")] {
            if let Some(n) = find(tf_parts, start) {
                figures.push(format!("{name}={}", number(value_of(&n))));
            }
        }
    }
    if let Some(idf) = find(parts, "idf") {
        figures.push(format!("idf={}", number(value_of(&idf))));
        let idf_parts = details(&idf);
        if let (Some(n), Some(all)) = (find(idf_parts, "n,"), find(idf_parts, "N,")) {
            figures.push(format!(
                "(in {} of {} passages)",
                value_of(&n),
                value_of(&all)
            ));
        }
    }
    figures.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(description: &'static str, value: Score) -> Explanation {
        Explanation::new(description, value)
    }

    #[test]
    fn named_sums_and_boosts_keep_the_parts_adding_up() {
        let (schema, _) = crate::schema::build();
        let mut sum = Explanation::new("BooleanClause. sum of ...", 3.0);
        sum.add_detail(leaf("x", 1.0));
        sum.add_detail(boost(0.5, leaf("y", 4.0)));
        sum.add_detail(Explanation::new("Const", 0.0));
        let tree = for_hit(&group("words", 3.0, vec![sum]), &schema, false, 2, None);
        assert_eq!(tree.value, 3.0);
        assert_eq!(tree.description, "score of passage #2 = sum of");
        let words = &tree.details[0];
        assert_eq!(words.description, "words");
        let values: Vec<f32> = words.details.iter().map(|d| d.value).collect();
        assert_eq!(values, [1.0, 2.0], "{tree:#?}");
        assert_eq!(words.details[1].description, "y ×0.5");
    }

    #[test]
    fn a_term_is_named_by_its_field_and_text() {
        let (schema, fields) = crate::schema::build();
        let context = format!(
            "Term=Term(field={}, type=Str, \"maduro\")",
            fields.title.field_id()
        );
        assert_eq!(
            term_name(&context, &|id| schema
                .get_field_name(Field::from_field_id(id))
                .to_owned()),
            Some("title \"maduro\"".to_owned())
        );
        assert_eq!(number(1.2), "1.2");
        assert_eq!(number(0.0), "0");
        assert_eq!(number(2.31049), "2.31");
    }
}
