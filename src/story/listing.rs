//! Copy groups as `newsdex copies` and `newsdex show` list them: each
//! article with its outlet, date and title.

use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{TantivyDocument, Term};

use crate::error::Result;
use crate::search::{read_passage, Searcher};
use crate::story::groups::Group;

/// A copy group with its articles' attribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CopyGroup {
    /// Group id.
    pub group: String,
    /// Id of the earliest-dated article (ties: the first indexed).
    pub original: String,
    /// The articles, oldest first, undated last.
    pub articles: Vec<CopyArticle>,
}

/// One article of a copy group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CopyArticle {
    /// Article id.
    pub id: String,
    /// Outlet.
    pub outlet: Option<String>,
    /// Publication date, RFC 3339 UTC.
    pub date: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Estimated share of the shorter of this article and the original
    /// that the other holds (1 for the original).
    pub similarity: f64,
}

/// `group` with its articles' attribution, read from the index.
pub fn describe(searcher: &Searcher, group: &Group) -> Result<CopyGroup> {
    let f = &searcher.store().fields;
    let snapshot = searcher.tantivy_searcher();
    let mut articles = Vec::with_capacity(group.members.len());
    for member in &group.members {
        let query = TermQuery::new(
            Term::from_field_text(f.article_id, &member.id),
            IndexRecordOption::Basic,
        );
        let found = snapshot.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        let article = match found.first() {
            Some((_, address)) => {
                Some(read_passage(f, &snapshot.doc::<TantivyDocument>(*address)?).0)
            }
            None => None,
        };
        articles.push(CopyArticle {
            id: member.id.clone(),
            outlet: article.as_ref().and_then(|a| a.outlet.clone()),
            date: article.as_ref().and_then(|a| a.date.clone()),
            title: article.and_then(|a| a.title),
            similarity: member.similarity,
        });
    }
    Ok(CopyGroup {
        group: group.group.clone(),
        original: group.original.clone(),
        articles,
    })
}
