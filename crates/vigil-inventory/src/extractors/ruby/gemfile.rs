//! Reading the groups of a `Gemfile` (or `gems.rb`), for the lockfile
//! beside it: which gems the project asks for only for development.
//!
//! A Gemfile is Ruby, but the forms that declare groups are standard and
//! written one per line: `group :development, :test do ... end` blocks and
//! `group:`/`groups:` options of a `gem` line (`gem "rspec", group: :test`,
//! `gem "x", groups: [:development, :test]`, `:group => :test`). Other
//! blocks (`platforms`, `source`, `git`, `path`, `install_if`, `if`,
//! `unless`, `case`, `begin`) are followed so that their `end` is not taken
//! for a group's. Anything computed (a group from a variable, a `gem` line
//! built by a loop) and one-line blocks (`group(:test) { gem "x" }`) are
//! not seen.

use std::collections::HashMap;

/// The groups Bundler installs gems of only for working on the project.
const DEV_GROUPS: &[&str] = &["development", "test"];

/// What a Gemfile says about each gem it names: whether all its groups are
/// development ones (`development`, `test`).
pub(crate) fn dev_gems(text: &str) -> HashMap<String, bool> {
    let mut out: HashMap<String, bool> = HashMap::new();
    // The groups of each open block (`None` for blocks that are not
    // groups).
    let mut blocks: Vec<Option<Vec<String>>> = Vec::new();
    for raw in text.lines() {
        let line = strip_comment(raw).trim();
        if line.is_empty() {
            continue;
        }
        let first = line
            .split(|c: char| c.is_whitespace() || c == '(')
            .next()
            .unwrap_or("");
        if first == "end" {
            blocks.pop();
            continue;
        }
        let opens = line.ends_with(" do")
            || line.contains(" do |")
            || matches!(
                first,
                "if" | "unless" | "case" | "begin" | "while" | "until"
            );
        if first == "group" {
            let groups = symbols(line.trim_start_matches("group"));
            if opens {
                blocks.push(Some(groups));
            }
            continue;
        }
        if first == "gem" {
            let Some(name) = first_string(line) else {
                continue;
            };
            let mut groups: Vec<String> = blocks
                .iter()
                .flatten()
                .flat_map(|g| g.iter().cloned())
                .collect();
            groups.extend(group_option(line));
            let dev = !groups.is_empty() && groups.iter().all(|g| DEV_GROUPS.contains(&g.as_str()));
            // Named twice (in two groups, or per platform): production wins.
            out.entry(name)
                .and_modify(|d| *d = *d && dev)
                .or_insert(dev);
            if opens {
                blocks.push(None);
            }
            continue;
        }
        if opens {
            blocks.push(None);
        }
    }
    out
}

/// A line without its `#` comment (a `#` inside a string is kept).
fn strip_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '#') => return line.get(..i).unwrap_or(line),
            _ => {}
        }
    }
    line
}

/// The first string literal of a line (`"name"` or `'name'`).
fn first_string(line: &str) -> Option<String> {
    let start = line.find(['"', '\''])?;
    let quote = line[start..].chars().next()?;
    let rest = &line[start + 1..];
    let end = rest.find(quote)?;
    Some(rest[..end].to_string()).filter(|n| !n.is_empty())
}

/// The `:symbol` names (and `"strings"`) in a group list, up to ` do`.
fn symbols(list: &str) -> Vec<String> {
    let list = list.split(" do").next().unwrap_or(list);
    list.split(|c: char| c == ',' || c.is_whitespace() || "()[]".contains(c))
        .map(|w| w.trim_start_matches(':').trim_matches(['"', '\'']))
        .filter(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .map(str::to_string)
        .collect()
}

/// The groups of a `gem` line's `group:`/`groups:` (or `:group =>`)
/// option.
fn group_option(line: &str) -> Vec<String> {
    for key in [
        "groups:",
        "group:",
        ":groups =>",
        ":group =>",
        ":groups=>",
        ":group=>",
    ] {
        if let Some(at) = line.find(key) {
            let rest = line[at + key.len()..].trim_start();
            let value = if let Some(list) = rest.strip_prefix('[') {
                list.split(']').next().unwrap_or("")
            } else {
                rest.split(',').next().unwrap_or("")
            };
            return symbols(value);
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_from_blocks_and_options() {
        let text = r#"source "https://rubygems.org"

gem "rails", "~> 7.1.4"  # the framework
gem 'puma', '>= 6'
gem "debug", platforms: %i[mri windows], group: :development
gem "rubocop", require: false, groups: [:development, :test]
gem "pry", :group => :development

group :development, :test do
  gem "rspec-rails", "~> 6.1"
  platforms :mri do
    gem "byebug"
  end
end

group :test do
  gem "capybara"
end

if ENV["WITH_REDIS"]
  gem "redis"
end

group :production do
  gem "lograge"
end

gem "rack"
group(:development) { gem "listen" }
gem "capybara" # named again outside the group: production
"#;
        let dev = dev_gems(text);
        let get = |n: &str| dev.get(n).copied();
        assert_eq!(get("rails"), Some(false));
        assert_eq!(get("puma"), Some(false));
        assert_eq!(get("debug"), Some(true));
        assert_eq!(get("rubocop"), Some(true));
        assert_eq!(get("pry"), Some(true));
        assert_eq!(get("rspec-rails"), Some(true));
        assert_eq!(get("byebug"), Some(true));
        assert_eq!(get("capybara"), Some(false));
        assert_eq!(get("redis"), Some(false));
        assert_eq!(get("lograge"), Some(false));
        assert_eq!(get("rack"), Some(false));
        // A one-line block is not read.
        assert_eq!(get("listen"), None);
        assert_eq!(get("nothing"), None);
    }

    #[test]
    fn comments_and_odd_lines() {
        assert_eq!(strip_comment(r#"gem "a#b" # x"#), r#"gem "a#b" "#);
        assert_eq!(first_string("gem"), None);
        assert_eq!(first_string(r#"gem """#), None);
        assert!(dev_gems("end\nend\ngroup :test do\n").is_empty());
    }
}
