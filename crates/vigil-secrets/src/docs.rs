//! The catalogue page (`docs/secret-rules.md`), generated from the rules.

use std::fmt::Write;

use crate::rules::RuleSet;

/// The Markdown page listing every built-in rule, by family file: ID,
/// severity, title, keywords and the filters beyond the regex.
pub fn catalogue(rules: &RuleSet) -> String {
    let mut out = String::from(
        "# Secret rules\n\nThe built-in secret rules, generated from \
         `crates/vigil-secrets/rules/*.toml` (do not edit; \
         `VIGIL_UPDATE_DOCS=1 cargo test -p vigil-secrets --test catalogue` \
         rewrites it). The rule format, allowlists and filters are in \
         [secrets.md](secrets.md).\n",
    );
    let mut family = "";
    let mut n = 0;
    for r in rules.rules() {
        let Some(file) = r.source.strip_prefix("builtin:") else {
            continue;
        };
        if file != family {
            family = file;
            let count = rules
                .rules()
                .iter()
                .filter(|x| x.source == r.source)
                .count();
            let _ = write!(
                out,
                "\n## `{file}` ({count} rules)\n\n| ID | Severity | Title | Keywords | Filters |\n|---|---|---|---|---|\n"
            );
        }
        let mut filters = Vec::new();
        if let Some(e) = r.entropy {
            filters.push(format!("entropy ≥ {e}"));
        }
        if let Some(c) = r.checksum {
            filters.push(match c {
                crate::rules::Checksum::GithubCrc32 => "checksum github-crc32".to_string(),
            });
        }
        if r.fallback {
            filters.push("fallback".to_string());
        }
        if r.binary {
            filters.push("binary files".to_string());
        }
        let keywords: Vec<String> = r
            .keywords
            .iter()
            .map(|k| format!("`{}`", k.replace('|', "\\|").replace('`', "'")))
            .collect();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            r.id,
            r.severity,
            r.title.replace('|', "\\|"),
            keywords.join(", "),
            if filters.is_empty() {
                "-".to_string()
            } else {
                filters.join(", ")
            }
        );
        n += 1;
    }
    let _ = writeln!(out, "\n{n} rules in all.");
    out
}
