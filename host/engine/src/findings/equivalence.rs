//! Rules of different scanners that report one kind of issue (bandit's `B307` and semgrep's
//! `eval-detected`): the table in `data/dedup/equivalent-rules.toml`, compiled in. Dedup needs it
//! because the tools label one issue with different CWEs (bandit 1.9.4 calls `eval()` CWE-78,
//! semgrep CWE-95), so equal CWEs alone rarely find the pairs real scans print.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

const BUILTIN: &str = include_str!("../../data/dedup/equivalent-rules.toml");

/// A family of the table, by its position in id order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Family(usize);

/// Scanner id -> a rule's own id -> its family.
#[derive(Debug, Default)]
pub(super) struct Equivalences {
    rules: HashMap<String, HashMap<String, Family>>,
}

#[derive(Debug, thiserror::Error)]
pub(super) enum TableError {
    #[error("the equivalent-rules table is not valid TOML of families: {0}")]
    Syntax(#[from] toml::de::Error),
    #[error(
        "the equivalent-rules table puts {scanner} rule {rule} in two families, {first} and {second}"
    )]
    TwoFamilies {
        scanner: String,
        rule: String,
        first: String,
        second: String,
    },
    #[error(
        "the equivalent-rules family {0} names fewer than two scanners, so it can merge nothing"
    )]
    OneScanner(String),
}

impl Equivalences {
    /// The compiled-in table. Its unit test proves it parses; were it ever broken, findings
    /// still merge on equal CWEs and advisories, and the log says why the table is missing.
    pub(super) fn builtin() -> &'static Equivalences {
        static TABLE: LazyLock<Equivalences> = LazyLock::new(|| {
            Equivalences::parse(BUILTIN).unwrap_or_else(|err| {
                tracing::error!("{err}; merging only on equal CWEs and advisories");
                Equivalences::default()
            })
        });
        &TABLE
    }

    pub(super) fn parse(text: &str) -> Result<Equivalences, TableError> {
        let families: BTreeMap<String, BTreeMap<String, Vec<String>>> = toml::from_str(text)?;
        let mut rules: HashMap<String, HashMap<String, Family>> = HashMap::new();
        let mut names: Vec<&str> = Vec::with_capacity(families.len());
        for (index, (name, scanners)) in families.iter().enumerate() {
            if scanners.values().filter(|ids| !ids.is_empty()).count() < 2 {
                return Err(TableError::OneScanner(name.clone()));
            }
            names.push(name);
            for (scanner, ids) in scanners {
                let by_rule = rules.entry(scanner.clone()).or_default();
                for id in ids {
                    let own = own_id(id).to_string();
                    match by_rule.get(&own) {
                        Some(&Family(other)) if other != index => {
                            return Err(TableError::TwoFamilies {
                                scanner: scanner.clone(),
                                rule: own,
                                first: names[other].to_string(),
                                second: name.clone(),
                            });
                        }
                        _ => {
                            by_rule.insert(own, Family(index));
                        }
                    }
                }
            }
        }
        Ok(Equivalences { rules })
    }

    /// The family `scanner`'s rule `rule_id` belongs to, if the table lists it.
    pub(super) fn family(&self, scanner: &str, rule_id: &str) -> Option<Family> {
        self.rules.get(scanner)?.get(own_id(rule_id)).copied()
    }
}

/// A rule's own id: what follows the last `.`. Semgrep prefixes a rule's id with the path of the
/// file it was loaded from (`python.lang.security.audit.eval-detected.` for the registry, the
/// rules file's directory for a local one), which says nothing about what the rule finds.
fn own_id(rule_id: &str) -> &str {
    rule_id.rsplit('.').next().unwrap_or(rule_id).trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_table_parses() {
        let table = Equivalences::parse(BUILTIN).unwrap();
        let eval = table.family("bandit", "B307").unwrap();
        assert_eq!(
            table.family(
                "semgrep",
                "python.lang.security.audit.eval-detected.eval-detected"
            ),
            Some(eval)
        );
        assert_ne!(table.family("bandit", "B301"), Some(eval));
    }

    #[test]
    fn semgrep_rules_match_by_their_own_id_wherever_they_were_loaded_from() {
        let table = Equivalences::parse(BUILTIN).unwrap();
        let eval = table.family("bandit", "B307");
        for id in [
            "python.lang.security.audit.eval-detected.eval-detected",
            "tmp.x.pygoat..securescan.eval-detected",
            "eval-detected",
        ] {
            assert_eq!(table.family("semgrep", id), eval, "{id}");
        }
        assert_eq!(table.family("semgrep", "eval-detected-extra"), None);
        assert_eq!(table.family("trivy", "B307"), None);
    }

    #[test]
    fn a_rule_in_two_families_or_a_family_of_one_scanner_is_refused() {
        let two = "[a]\nbandit = [\"B1\"]\nsemgrep = [\"x.r\"]\n[b]\nbandit = [\"B2\"]\nsemgrep = [\"y.r\"]\n";
        let err = Equivalences::parse(two).unwrap_err();
        assert!(
            matches!(&err, TableError::TwoFamilies { rule, .. } if rule == "r"),
            "{err}"
        );
        let lonely = "[a]\nbandit = [\"B1\", \"B2\"]\nsemgrep = []\n";
        assert!(matches!(
            Equivalences::parse(lonely),
            Err(TableError::OneScanner(_))
        ));
    }
}
