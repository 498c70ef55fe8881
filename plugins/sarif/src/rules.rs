//! Finding a result's rule among a run's tool components (SARIF §3.27.6, §3.52): by index, or by
//! id through a map built once per run, so a log with thousands of results and rules stays linear.

use std::collections::HashMap;

use crate::report::{Rule, SarifResult, Tool, ToolComponent};

/// One tool component (the driver or an extension) and its rules by id.
struct Component<'r> {
    name: Option<&'r str>,
    guid: Option<&'r str>,
    rules: &'r [Rule],
    by_id: HashMap<&'r str, usize>,
}

/// The rules of one run: the driver first, then `tool.extensions` in order.
pub struct RuleIndex<'r> {
    components: Vec<Component<'r>>,
}

/// The rule a result refers to and the component that defines it.
pub struct RuleMatch<'r> {
    pub rule: &'r Rule,
    /// The extension's name when the rule comes from one (CodeQL query packs).
    pub extension: Option<&'r str>,
}

impl<'r> Component<'r> {
    fn new(component: &'r ToolComponent) -> Self {
        let mut by_id = HashMap::with_capacity(component.rules.len());
        for (index, rule) in component.rules.iter().enumerate() {
            if let Some(id) = rule.id.as_deref() {
                // The first definition wins, as it does for an index.
                by_id.entry(id).or_insert(index);
            }
        }
        Component {
            name: component.name.as_deref(),
            guid: component.guid.as_deref(),
            rules: &component.rules,
            by_id,
        }
    }

    fn by_index(&self, index: i64) -> Option<&'r Rule> {
        self.rules.get(usize::try_from(index).ok()?)
    }

    /// By exact id, then by the id's first segment: `CA2101/1` names rule `CA2101` (§3.27.5).
    fn by_id(&self, id: &str) -> Option<&'r Rule> {
        let index = self.by_id.get(id).or_else(|| {
            id.split_once('/')
                .and_then(|(parent, _)| self.by_id.get(parent))
        })?;
        self.rules.get(*index)
    }
}

impl<'r> RuleIndex<'r> {
    pub fn new(tool: Option<&'r Tool>) -> Self {
        let empty: &'r [ToolComponent] = &[];
        // Position 0 is the driver even when the log leaves it out, so extension indexes hold.
        let driver = match tool.and_then(|t| t.driver.as_ref()) {
            Some(driver) => Component::new(driver),
            None => Component {
                name: None,
                guid: None,
                rules: &[],
                by_id: HashMap::new(),
            },
        };
        let extensions = tool.map_or(empty, |t| t.extensions.as_slice());
        let components = std::iter::once(driver)
            .chain(extensions.iter().map(Component::new))
            .collect();
        RuleIndex { components }
    }

    pub fn resolve(&self, result: &SarifResult) -> Option<RuleMatch<'r>> {
        let reference = result.rule.as_ref();
        let index = reference.and_then(|r| r.index).or(result.rule_index);
        let id = reference
            .and_then(|r| r.id.as_deref())
            .or(result.rule_id.as_deref());
        let (position, component) = match reference.and_then(|r| r.tool_component.as_ref()) {
            Some(wanted) => {
                self.component(wanted.index, wanted.name.as_deref(), wanted.guid.as_deref())?
            }
            None => (0, self.components.first()?),
        };
        let extension = (position > 0).then_some(component.name).flatten();
        if let Some(rule) = index.and_then(|i| component.by_index(i)) {
            return Some(RuleMatch { rule, extension });
        }
        let id = id?;
        if let Some(rule) = component.by_id(id) {
            return Some(RuleMatch { rule, extension });
        }
        // Without a toolComponent reference the rule may still live in an extension.
        if reference.and_then(|r| r.tool_component.as_ref()).is_none() {
            return self.components.iter().skip(1).find_map(|c| {
                Some(RuleMatch {
                    rule: c.by_id(id)?,
                    extension: c.name,
                })
            });
        }
        None
    }

    /// A `toolComponentReference`: `index` counts `tool.extensions`; `name` and `guid` may also
    /// name the driver.
    fn component(
        &self,
        index: Option<i64>,
        name: Option<&str>,
        guid: Option<&str>,
    ) -> Option<(usize, &Component<'r>)> {
        if let Some(index) = index {
            let position = usize::try_from(index).ok()?.checked_add(1)?;
            return Some((position, self.components.get(position)?));
        }
        self.components
            .iter()
            .enumerate()
            .find(|(_, c)| (guid.is_some() && c.guid == guid) || (name.is_some() && c.name == name))
    }
}
