//! wikiharness readiness (grows in the reports issue).
