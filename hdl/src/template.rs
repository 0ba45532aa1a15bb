//! The one template mechanism of the emitted text: `$KEY$` placeholders and whole-line conditional
//! blocks (`$if FLAG$` ... [`$else$` ...] `$end$`, each directive alone on its line; blocks nest).
//!
//! Hand-rolled on purpose: the templates are Verilog, whose `{...}` concatenations and `{{n{x}}}`
//! replications collide with the delimiters of the common template crates (minijinja, tinytemplate,
//! askama all use braces), and the rules needed are this small. Promises, in every build (not only
//! with debug assertions): a placeholder without a value, a value or flag the template never names,
//! and an unbalanced block are errors ([`HdlError::Template`]); nothing is removed after rendering.

use crate::error::HdlError;

/// Renders `template` (called `name` in errors) with `values` (`KEY` -> text) and `flags`.
pub fn render(
    name: &str,
    template: &str,
    values: &[(&str, String)],
    flags: &[(&str, bool)],
) -> Result<String, HdlError> {
    let err = |msg: String| HdlError::Template {
        template: name.to_string(),
        msg,
    };
    for (k, _) in values {
        if !template.contains(&format!("${k}$")) {
            return Err(err(format!("value {k} is never used")));
        }
    }
    for (k, _) in flags {
        if !template.contains(&format!("$if {k}$")) {
            return Err(err(format!("flag {k} is never used")));
        }
    }
    let mut out = String::with_capacity(template.len() * 2);
    // Inclusion state of the open blocks.
    let mut open: Vec<bool> = Vec::new();
    for (i, line) in template.split_inclusive('\n').enumerate() {
        let t = line.trim();
        if let Some(flag) = t.strip_prefix("$if ").and_then(|r| r.strip_suffix('$')) {
            let on = flags
                .iter()
                .find(|(k, _)| *k == flag)
                .map(|&(_, v)| v)
                .ok_or_else(|| err(format!("line {}: flag {flag} has no value", i + 1)))?;
            open.push(on);
            continue;
        }
        if t == "$else$" {
            let top = open
                .last_mut()
                .ok_or_else(|| err(format!("line {}: $else$ without $if$", i + 1)))?;
            *top = !*top;
            continue;
        }
        if t == "$end$" {
            open.pop()
                .ok_or_else(|| err(format!("line {}: $end$ without $if$", i + 1)))?;
            continue;
        }
        if open.iter().all(|&on| on) {
            out += &fill_line(line, values)
                .map_err(|k| err(format!("line {}: placeholder ${k}$ has no value", i + 1)))?;
        }
    }
    if !open.is_empty() {
        return Err(err(format!("{} $if$ block(s) not closed", open.len())));
    }
    Ok(out)
}

/// Replaces every `$KEY$` of one line (KEY: uppercase letters, digits, `_`); `Err(KEY)` for a
/// placeholder without a value.
fn fill_line(line: &str, values: &[(&str, String)]) -> Result<String, String> {
    let mut out = String::with_capacity(line.len() + 16);
    let mut rest = line;
    while let Some(at) = rest.find('$') {
        out += &rest[..at];
        let after = &rest[at + 1..];
        let n = after
            .bytes()
            .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_')
            .count();
        if n > 0 && after.as_bytes().get(n) == Some(&b'$') {
            let key = &after[..n];
            let v = values
                .iter()
                .find(|(k, _)| *k == key)
                .ok_or_else(|| key.to_string())?;
            out += &v.1;
            rest = &after[n + 1..];
        } else {
            // A `$` that starts no placeholder (e.g. `$readmemh`) is text.
            out.push('$');
            rest = after;
        }
    }
    out += rest;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str =
        "a $X$ b $readmemh\n  $if ON$\nyes $X$\n  $end$\n$if OFF$\nno $Y$\n$else$\nelse\n$end$\nend\n";

    #[test]
    fn fills_values_and_keeps_only_enabled_lines() {
        let v = [("X", "1".to_string()), ("Y", "2".to_string())];
        let got = render("t", T, &v, &[("ON", true), ("OFF", false)]).unwrap();
        assert_eq!(got, "a 1 b $readmemh\nyes 1\nelse\nend\n");
    }

    #[test]
    fn missing_unused_and_unbalanced_are_errors() {
        let flags = [("ON", true), ("OFF", false)];
        let only_y = [("Y", "2".to_string())];
        let e = render("t", T, &only_y, &flags).unwrap_err().to_string();
        assert!(e.contains("$X$ has no value"), "{e}");
        let extra = [("X", "1".into()), ("Y", "2".into()), ("Z", "3".into())];
        let e = render("t", T, &extra, &flags).unwrap_err().to_string();
        assert!(e.contains("Z is never used"), "{e}");
        let e = render("t", "$if A$\nx\n", &[], &[("A", true)]).unwrap_err();
        assert!(e.to_string().contains("not closed"), "{e}");
        let e = render("t", "$end$\n", &[], &[]).unwrap_err();
        assert!(e.to_string().contains("without"), "{e}");
        let e = render("t", "$if A$\n$end$\n", &[], &[]).unwrap_err();
        assert!(e.to_string().contains("flag A has no value"), "{e}");
    }
}
