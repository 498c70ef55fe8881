//! Dockerfile text as instructions: physical lines joined where a line ends in `\`, comment lines
//! inside a continuation dropped (as Docker does), each instruction with its line span.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    pub text: String,
    pub first_line: u32,
    pub last_line: u32,
}

pub fn logical_lines(text: &str) -> Vec<Instruction> {
    let mut out = Vec::new();
    let mut current: Option<Instruction> = None;
    for (index, raw) in text.split('\n').enumerate() {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let line = raw.trim_end_matches('\r');
        if current.is_some() && line.trim_start().starts_with('#') {
            continue;
        }
        let trimmed = line.trim_end();
        let (body, continues) = match trimmed.strip_suffix('\\') {
            Some(body) => (body, true),
            None => (trimmed, false),
        };
        let instruction = current.get_or_insert_with(|| Instruction {
            text: String::new(),
            first_line: number,
            last_line: number,
        });
        if !instruction.text.is_empty() {
            instruction.text.push(' ');
        }
        instruction.text.push_str(body);
        instruction.last_line = number;
        if !continues && let Some(done) = current.take() {
            out.push(done);
        }
    }
    out.extend(current);
    out
}
