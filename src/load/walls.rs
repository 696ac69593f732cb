//! Paragraphs that are page prompts rather than article text: cookie-consent notices,
//! paywall and sign-in prompts, newsletter sign-ups, and "read more" links to other
//! stories. They are dropped from the body; a page left with no article text once they
//! are gone is a wall, and is skipped with a reason that says which.

/// Phrases of cookie-consent notices; a paragraph with two of them is one.
const CONSENT: &[&str] = &[
    "cookie",
    "we use cookies",
    "uses cookies",
    "use of cookies",
    "consent",
    "we and our partners",
    "our partners",
    "accept all",
    "reject all",
    "manage preferences",
    "manage options",
    "privacy settings",
    "privacy preferences",
    "privacy policy",
    "store and/or access information",
    "personal data",
    "personalised ads",
    "personalized ads",
    "legitimate interest",
    "before you continue",
];

/// Phrases of paywall and sign-in prompts; one is enough in a short paragraph.
const PAYWALL: &[&str] = &[
    "already a subscriber",
    "already subscribed",
    "subscribe to continue",
    "subscribe to read",
    "subscribe now",
    "subscribers only",
    "for subscribers",
    "exclusive to subscribers",
    "to continue reading",
    "continue reading this article",
    "sign in to continue",
    "sign in to read",
    "log in to continue",
    "log in to read",
    "register to continue",
    "register to read",
    "create a free account",
    "free articles",
    "article limit",
    "unlimited access",
    "become a member",
    "subscription required",
];

/// Phrases of newsletter sign-up prompts; one is enough in a short paragraph.
const NEWSLETTER: &[&str] = &[
    "sign up for our",
    "sign up to our",
    "subscribe to our",
    "our newsletter",
    "newsletter sign",
    "in your inbox",
    "to your inbox",
    "enter your email",
];

/// Lines that introduce links to other stories, compared case-insensitively with the line
/// (whole, or as its start before a colon).
const OTHER_STORIES: &[&str] = &[
    "read more",
    "read next",
    "read also",
    "also read",
    "see also",
    "keep reading",
    "related",
    "related stories",
    "related articles",
    "related coverage",
    "more stories",
    "more on this story",
    "recommended",
    "recommended for you",
    "you may also like",
    "you might also like",
    "most read",
    "most popular",
    "trending now",
    "don't miss",
];

/// A prompt paragraph, long enough to be a prompt and no longer, has at most this many words.
const PROMPT_WORDS: usize = 40;

/// A consent notice can run to a long paragraph of legalese.
const CONSENT_WORDS: usize = 150;

/// What kind of prompt a paragraph is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    /// A cookie-consent notice.
    Consent,
    /// A paywall or sign-in prompt.
    Paywall,
    /// A newsletter sign-up.
    Newsletter,
    /// A link or heading pointing to other stories.
    OtherStories,
}

/// The article's paragraphs without prompts, or why the page has no article text at all.
pub fn without_prompts(paragraphs: Vec<String>) -> Result<Vec<String>, String> {
    let mut walls = (false, false);
    let kept: Vec<String> = paragraphs
        .into_iter()
        .filter(|p| match prompt(p) {
            Some(Prompt::Consent) => {
                walls.0 = true;
                false
            }
            Some(Prompt::Paywall) => {
                walls.1 = true;
                false
            }
            Some(_) => false,
            None => true,
        })
        .collect();
    let words: usize = kept.iter().map(|p| p.split_whitespace().count()).sum();
    match walls {
        _ if words >= 25 => Ok(kept),
        (true, _) => Err("the page is only a cookie-consent wall (no article text)".into()),
        (false, true) => {
            Err("the page is only a paywall or sign-in prompt (no article text)".into())
        }
        _ => Ok(kept),
    }
}

/// The kind of prompt `paragraph` is, if it is one.
pub fn prompt(paragraph: &str) -> Option<Prompt> {
    let words = paragraph.split_whitespace().count();
    let lower = paragraph.to_lowercase();
    let lower = lower.replace('’', "'");
    let count = |phrases: &[&str]| phrases.iter().filter(|p| lower.contains(*p)).count();
    if words <= CONSENT_WORDS && count(CONSENT) >= 2 {
        return Some(Prompt::Consent);
    }
    if words <= PROMPT_WORDS && count(PAYWALL) >= 1 {
        return Some(Prompt::Paywall);
    }
    if words <= PROMPT_WORDS && count(NEWSLETTER) >= 1 {
        return Some(Prompt::Newsletter);
    }
    let head = lower.split(':').next().unwrap_or_default();
    let head = head.trim().trim_end_matches(['.', '!', '…', '»', '>', '›']);
    let introduces = head.len() < lower.trim().len() && words <= PROMPT_WORDS;
    if OTHER_STORIES.contains(&head.trim()) && (introduces || head.trim() == lower.trim()) {
        return Some(Prompt::OtherStories);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_are_recognised_and_article_sentences_are_not() {
        for (text, kind) in [
            (
                "We and our partners use cookies to personalise ads. Accept all",
                Prompt::Consent,
            ),
            (
                "This site uses cookies. By continuing you consent to their use.",
                Prompt::Consent,
            ),
            ("Already a subscriber? Log in", Prompt::Paywall),
            (
                "Subscribe now to continue reading this article.",
                Prompt::Paywall,
            ),
            ("Sign up for our daily newsletter", Prompt::Newsletter),
            (
                "Get the morning briefing delivered to your inbox",
                Prompt::Newsletter,
            ),
            (
                "READ MORE: Venezuela denies the cartel exists",
                Prompt::OtherStories,
            ),
            ("Related stories", Prompt::OtherStories),
            ("Keep reading", Prompt::OtherStories),
        ] {
            assert_eq!(prompt(text), Some(kind), "{text}");
        }
        for text in [
            "The regulator said the cookie banner did not meet the law.",
            "Sign up for 4 months of Amazon Music Unlimited for just $0.99.",
            "Related: the minister's earlier remarks were not on the record, he said, and \
             the ministry later corrected them in a statement issued on Tuesday afternoon \
             after several newspapers had reported them as an official position of the \
             government, which the ministry denied in the strongest terms it could find.",
            "Most read newspapers in the country carried the story.",
        ] {
            assert_eq!(prompt(text), None, "{text}");
        }
    }

    #[test]
    fn a_page_of_prompts_is_a_wall() {
        let consent = vec![
            "Before you continue".to_string(),
            "We use cookies and data to deliver our services. If you accept all, we and our \
             partners will also use cookies for personalised ads."
                .to_string(),
            "Accept all".to_string(),
        ];
        assert!(without_prompts(consent).unwrap_err().contains("consent"));
        let paywall = vec![
            "Subscribe now to continue reading".to_string(),
            "Already a subscriber? Sign in".to_string(),
        ];
        assert!(without_prompts(paywall).unwrap_err().contains("paywall"));
        let article = vec![
            "The designation took effect on Monday, officials said, and the Treasury \
             froze the assets held by the group's members in US banks that same afternoon."
                .to_string(),
            "Already a subscriber? Sign in".to_string(),
        ];
        assert_eq!(without_prompts(article).unwrap().len(), 1);
    }
}
