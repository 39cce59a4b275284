//! wikiharness reports (grows in the reports issue).
