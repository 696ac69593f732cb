//! Stopping a search at its deadline (`--timeout`). [`DeadlineQuery`] wraps
//! a query so that the walk through its matches looks at the clock every
//! few thousand passages and, once the deadline has passed, ends the walk
//! as if the matches had run out; the search then sees
//! [`Deadline::expired`] and reports a timeout instead of a partial answer.
//!
//! The walk is the query's own where Tantivy prunes for a top k (block-max
//! WAND, newsdex's bounded phrase and word scorers): there the clock is read
//! before each segment and at each hit that enters the top k, and once the
//! deadline has passed no hit can enter it, so nothing more is scored.
//! Everywhere else (counting, one hit per article, date sorting) the walk
//! is [`DeadlineScorer`]'s.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, Term, TERMINATED};

/// Passages walked between two looks at the clock.
const CHECK_EVERY: u32 = 4096;

/// When a search must stop, and whether it had to.
#[derive(Debug)]
pub struct Deadline {
    at: Instant,
    expired: AtomicBool,
}

impl Deadline {
    /// A deadline at `at`.
    pub fn new(at: Instant) -> Arc<Deadline> {
        Arc::new(Deadline {
            at,
            expired: AtomicBool::new(false),
        })
    }

    /// Whether the deadline has passed (and remembers it).
    pub fn check(&self) -> bool {
        if self.expired.load(Ordering::Relaxed) {
            return true;
        }
        let passed = Instant::now() >= self.at;
        if passed {
            self.expired.store(true, Ordering::Relaxed);
        }
        passed
    }

    /// Whether a walk stopped, or a check found, the deadline passed.
    pub fn expired(&self) -> bool {
        self.expired.load(Ordering::Relaxed)
    }
}

/// A query whose walks through its matches stop at a deadline.
pub struct DeadlineQuery {
    inner: Box<dyn Query>,
    deadline: Arc<Deadline>,
}

impl DeadlineQuery {
    /// `inner`, stopping at `deadline`.
    pub fn new(inner: Box<dyn Query>, deadline: Arc<Deadline>) -> Self {
        DeadlineQuery { inner, deadline }
    }
}

impl Clone for DeadlineQuery {
    fn clone(&self) -> Self {
        DeadlineQuery {
            inner: self.inner.box_clone(),
            deadline: self.deadline.clone(),
        }
    }
}

impl fmt::Debug for DeadlineQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeadlineQuery({:?})", self.inner)
    }
}

impl Query for DeadlineQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(DeadlineWeight {
            inner: self.inner.weight(enable_scoring)?,
            deadline: self.deadline.clone(),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor);
    }
}

struct DeadlineWeight {
    inner: Box<dyn Weight>,
    deadline: Arc<Deadline>,
}

impl DeadlineWeight {
    /// The walk through the matches of a segment, stopping at the deadline.
    fn walk(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<DeadlineScorer> {
        let inner = if self.deadline.check() {
            Box::new(tantivy::query::EmptyScorer)
        } else {
            self.inner.scorer(reader, boost)?
        };
        Ok(DeadlineScorer {
            inner,
            deadline: self.deadline.clone(),
            steps: 0,
            stopped: false,
        })
    }
}

impl Weight for DeadlineWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(self.walk(reader, boost)?))
    }

    fn scorer_danger(
        &self,
        reader: &SegmentReader,
        target: DocId,
        boost: Score,
    ) -> tantivy::Result<(SeekDangerResult, Box<dyn Scorer>)> {
        let mut scorer = self.walk(reader, boost)?;
        Ok((scorer.seek_danger(target), Box::new(scorer)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.inner.explain(reader, doc)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        let mut scorer = self.walk(reader, 1.0)?;
        Ok(match reader.alive_bitset() {
            Some(alive) => scorer.count(alive),
            None => scorer.count_including_deleted(),
        })
    }

    fn for_each(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score),
    ) -> tantivy::Result<()> {
        let mut scorer = self.walk(reader, 1.0)?;
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            callback(doc, scorer.score());
            doc = scorer.advance();
        }
        Ok(())
    }

    fn for_each_no_score(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(&[DocId]),
    ) -> tantivy::Result<()> {
        let mut scorer = self.walk(reader, 1.0)?;
        let mut buffer = [0; tantivy::COLLECT_BLOCK_BUFFER_LEN];
        loop {
            let filled = scorer.fill_buffer(&mut buffer);
            callback(&buffer[..filled]);
            if filled != buffer.len() {
                return Ok(());
            }
        }
    }

    fn for_each_pruning(
        &self,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        if self.deadline.check() {
            return Ok(());
        }
        self.inner
            .for_each_pruning(threshold, reader, &mut |doc, score| {
                if self.deadline.check() {
                    // No score beats this: the rest of the walk skips.
                    return Score::INFINITY;
                }
                callback(doc, score)
            })
    }
}

/// A scorer that ends (as if its matches had run out) once the deadline
/// has passed, looking at the clock every [`CHECK_EVERY`] moves.
pub struct DeadlineScorer {
    inner: Box<dyn Scorer>,
    deadline: Arc<Deadline>,
    steps: u32,
    stopped: bool,
}

impl DeadlineScorer {
    /// Counts a move; true when the walk must stop here.
    fn stop(&mut self) -> bool {
        self.steps += 1;
        if self.steps >= CHECK_EVERY {
            self.steps = 0;
            self.stopped = self.deadline.check();
        }
        self.stopped
    }
}

impl DocSet for DeadlineScorer {
    fn advance(&mut self) -> DocId {
        if self.stop() {
            return TERMINATED;
        }
        self.inner.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.stop() {
            return TERMINATED;
        }
        self.inner.seek(target)
    }

    fn doc(&self) -> DocId {
        if self.stopped {
            TERMINATED
        } else {
            self.inner.doc()
        }
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }

    fn cost(&self) -> u64 {
        self.inner.cost()
    }
}

impl Scorer for DeadlineScorer {
    fn score(&mut self) -> Score {
        self.inner.score()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::TermQuery;
    use tantivy::schema::IndexRecordOption;

    use super::*;

    /// A passed deadline stops every kind of walk, and a far one changes nothing.
    #[test]
    fn a_passed_deadline_stops_the_walk_and_a_far_one_changes_nothing() {
        let (mut writer, [body, _]) = crate::testing::body_title_writer();
        for i in 0..20_000 {
            let text = if i % 3 == 0 { "oil price" } else { "oil" };
            writer.add_document(tantivy::doc!(body => text)).unwrap();
        }
        writer.commit().unwrap();
        let searcher = writer.index().reader().unwrap().searcher();
        let term = |w| Term::from_field_text(body, w);
        let oil = || Box::new(TermQuery::new(term("oil"), IndexRecordOption::WithFreqs));
        let far = Deadline::new(Instant::now() + Duration::from_secs(3600));
        let query = DeadlineQuery::new(oil(), far.clone());
        let top = || TopDocs::with_limit(5).order_by_score();
        assert_eq!(searcher.search(&query, &Count).unwrap(), 20_000);
        assert_eq!(
            searcher.search(&query, &(top(), Count)).unwrap(),
            searcher.search(&*oil(), &(top(), Count)).unwrap()
        );
        assert_eq!(searcher.search(&query, &top()).unwrap().len(), 5);
        assert!(!far.expired());

        let passed = Deadline::new(Instant::now());
        let query = DeadlineQuery::new(oil(), passed.clone());
        assert!(searcher.search(&query, &Count).unwrap() < 20_000);
        assert!(searcher.search(&query, &top()).unwrap().is_empty());
        assert!(passed.expired());
        // Stopped in the middle of a walk: at the next look at the clock.
        let soon = Deadline::new(Instant::now() + Duration::from_millis(5));
        let weight = DeadlineQuery::new(oil(), soon.clone())
            .weight(EnableScoring::disabled_from_searcher(&searcher))
            .unwrap();
        let mut scorer = weight.scorer(searcher.segment_reader(0), 1.0).unwrap();
        std::thread::sleep(Duration::from_millis(10));
        let mut walked = 0;
        while scorer.advance() != TERMINATED {
            walked += 1;
        }
        assert!(walked < CHECK_EVERY, "{walked}");
        assert!(soon.expired());
    }
}
