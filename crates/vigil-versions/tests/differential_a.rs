//! Differential tests of the SemVer, Go, PEP 440 and Maven schemes against
//! the reference implementations, on thousands of pairs.
//!
//! The versions are those of the shared fixture files plus deterministic
//! mutations of them (digits changed, pieces added or removed, separators
//! and case changed). All pairs of one scheme go to the reference program in
//! one batch on standard input, one `a<TAB>b` line each; it answers `-1`, `0`
//! or `1` per line, or `invalid` when it refuses one of the two.
//!
//! | scheme | reference | install |
//! |---|---|---|
//! | PEP 440 | Python `packaging.version` | `pip install packaging` |
//! | PEP 440, legacy | `packaging` 21.3 (`LegacyVersion`) | `pip install --target "$VIGIL_TEST_TOOLS/packaging-21" packaging==21.3` |
//! | SemVer | npm `semver` under Node.js | `npm install --prefix "$VIGIL_TEST_TOOLS" semver` |
//! | Go | `golang.org/x/mod/semver` | `apt-get install golang-go golang-golang-x-mod-dev` |
//! | Maven | `ComparableVersion` of Debian's `maven` | `apt-get install maven` |
//!
//! `VIGIL_TEST_TOOLS` defaults to `$HOME/.cache/vigil-test-tools`. A missing
//! tool skips its test with a line on standard error, unless
//! `VIGIL_REFERENCE_TESTS=1`, which makes it a failure. The Go program runs
//! in GOPATH mode against Debian's copy of `x/mod`, with `GOPROXY=off`, so
//! nothing is fetched.
//!
//! Pairs the reference refuses are skipped (and counted): vigil's SemVer
//! accepts `1` and `1.2`, which npm's `semver` refuses, and both SemVer and
//! Go accept more than three numbers (`1.1.3.4.5`, in the fixtures), which
//! the references refuse; modern `packaging` refuses non-PEP 440 strings,
//! which the legacy test covers instead. A version that a reference accepts
//! but vigil refuses is a failure. Where a reference is known to differ
//! from the fixtures, which win, the class of cases is skipped (and
//! counted) and named at its predicate: only Maven has such classes (see
//! `maven_known_difference`).
//!
//! Run with `VIGIL_DIFFERENTIAL_VERBOSE=1 -- --nocapture` to list the
//! skipped pairs whose answers differ.
#![allow(clippy::unwrap_used)]
// Tests state their expectations with unwrap.

// Skipped references are reported on standard error, as CI logs show it.
#![allow(clippy::print_stderr)]

use std::cmp::Ordering;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use vigil_versions::Scheme;

/// Pairs per scheme, at most.
const MAX_PAIRS: usize = 12_000;

// ---------------------------------------------------------------- inputs --

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/version-fixtures")
}

/// Every version named in the given fixture files, deduplicated, in order.
fn fixture_versions(files: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for file in files {
        let path = fixtures_dir().join(file);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with("# ") || line.starts_with("// ") {
                continue;
            }
            let parts: Vec<&str> = line.split(' ').collect();
            if let [a, _, b] = parts.as_slice() {
                for v in [a, b] {
                    if seen.insert((*v).to_string()) {
                        out.push((*v).to_string());
                    }
                }
            }
        }
    }
    out
}

/// A small deterministic generator (SplitMix64), so runs are repeatable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// What a scheme's mutations may insert.
struct Alphabet {
    /// Pieces appended or inserted at a separator.
    pieces: &'static [&'static str],
    /// Separator characters a separator may be swapped for.
    separators: &'static [char],
}

/// Changes one thing about `s`.
fn mutate_once(s: &str, rng: &mut Rng, alphabet: &Alphabet) -> String {
    let chars: Vec<char> = s.chars().collect();
    let digit_runs: Vec<(usize, usize)> = {
        let mut runs = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            if chars[i].is_ascii_digit() {
                let start = i;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
                runs.push((start, i));
            } else {
                i += 1;
            }
        }
        runs
    };
    let seps: Vec<usize> = (0..chars.len())
        .filter(|&i| ".-_+".contains(chars[i]))
        .collect();
    let text = |cs: &[char]| cs.iter().collect::<String>();
    match rng.below(7) {
        // Change a number.
        0 if !digit_runs.is_empty() => {
            let (start, end) = *rng.pick(&digit_runs);
            let run: String = text(&chars[start..end]);
            let n: u64 = run.parse().unwrap_or(0);
            let new = match rng.below(4) {
                0 => n.saturating_add(1).to_string(),
                1 => n.saturating_sub(1).to_string(),
                2 => "0".to_string(),
                _ => format!("{}", rng.below(12)),
            };
            format!("{}{new}{}", text(&chars[..start]), text(&chars[end..]))
        }
        // Append a piece.
        1 | 2 => format!("{s}{}", rng.pick(alphabet.pieces)),
        // Insert a piece at a separator.
        3 if !seps.is_empty() => {
            let at = *rng.pick(&seps);
            format!(
                "{}{}{}",
                text(&chars[..at]),
                rng.pick(alphabet.pieces),
                text(&chars[at..])
            )
        }
        // Swap a separator.
        4 if !seps.is_empty() => {
            let at = *rng.pick(&seps);
            let mut cs = chars.clone();
            cs[at] = *rng.pick(alphabet.separators);
            text(&cs)
        }
        // Cut at a separator.
        5 if !seps.is_empty() => text(&chars[..*rng.pick(&seps)]),
        // Change the case of a letter.
        6 => {
            let letters: Vec<usize> = (0..chars.len())
                .filter(|&i| chars[i].is_ascii_alphabetic())
                .collect();
            if letters.is_empty() {
                return format!("{s}{}", rng.pick(alphabet.pieces));
            }
            let at = *rng.pick(&letters);
            let mut cs = chars.clone();
            cs[at] = if cs[at].is_ascii_lowercase() {
                cs[at].to_ascii_uppercase()
            } else {
                cs[at].to_ascii_lowercase()
            };
            text(&cs)
        }
        _ => format!("{s}{}", rng.pick(alphabet.pieces)),
    }
}

fn mutate(s: &str, rng: &mut Rng, alphabet: &Alphabet) -> String {
    let mut out = s.to_string();
    for _ in 0..=rng.below(3) {
        out = mutate_once(&out, rng, alphabet);
    }
    out.retain(|c| c != '\t' && c != '\n' && c != '\r');
    if out.is_empty() {
        "0".to_string()
    } else {
        out
    }
}

/// Fixture versions paired with mutations of themselves, mutations with
/// each other, and random fixture versions with each other.
fn pairs(seed: u64, base: &[String], alphabet: &Alphabet) -> Vec<(String, String)> {
    let mut rng = Rng(seed);
    let mut out = Vec::new();
    if base.is_empty() {
        return out;
    }
    while out.len() < MAX_PAIRS {
        let a = rng.pick(base).clone();
        match rng.below(4) {
            0 => {
                let b = mutate(&a, &mut rng, alphabet);
                out.push((a, b));
            }
            1 => {
                let b = mutate(&a, &mut rng, alphabet);
                let c = mutate(&a, &mut rng, alphabet);
                out.push((b, c));
            }
            2 => {
                let b = rng.pick(base).clone();
                let b = mutate(&b, &mut rng, alphabet);
                out.push((a, b));
            }
            _ => {
                let b = rng.pick(base).clone();
                out.push((a, b));
            }
        }
    }
    out
}

// ------------------------------------------------------------- references --

/// Whether a missing reference must fail the test.
fn references_required() -> bool {
    std::env::var("VIGIL_REFERENCE_TESTS").is_ok_and(|v| v == "1")
}

/// Reports a missing reference: a skip, or a failure when required.
fn missing(test: &str, why: &str) {
    if references_required() {
        panic!("{test}: reference not available: {why} (VIGIL_REFERENCE_TESTS=1)");
    }
    eprintln!("{test}: skipped, reference not available: {why}");
}

/// Where the npm package and the old `packaging` are installed.
fn tools_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("VIGIL_TEST_TOOLS") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    home.join(".cache/vigil-test-tools")
}

/// Whether `program` can be started.
fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// A scratch directory removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!(
            "vigil-differential-{name}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
        Scratch(dir)
    }

    fn write(&self, file: &str, text: &str) -> PathBuf {
        let path = self.0.join(file);
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One reference answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Order(Ordering),
    Invalid,
}

/// Sends all pairs to `command` at once and reads one answer per pair.
fn ask(mut command: Command, pairs: &[(String, String)]) -> Vec<Answer> {
    let mut input = String::new();
    for (a, b) in pairs {
        input.push_str(a);
        input.push('\t');
        input.push_str(b);
        input.push('\n');
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {command:?}: {e}"));
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("running {command:?}: {e}"));
    let written = writer.join().expect("the writer thread does not panic");
    assert!(
        output.status.success(),
        "{command:?} failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    written.unwrap_or_else(|e| panic!("writing to {command:?}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let answers: Vec<Answer> = stdout
        .lines()
        .map(|line| match line.trim() {
            "-1" => Answer::Order(Ordering::Less),
            "0" => Answer::Order(Ordering::Equal),
            "1" => Answer::Order(Ordering::Greater),
            "invalid" => Answer::Invalid,
            other => panic!("{command:?} answered `{other}`"),
        })
        .collect();
    assert_eq!(
        answers.len(),
        pairs.len(),
        "{command:?}: one answer per pair"
    );
    answers
}

/// Compares our answers with the reference's and fails on disagreement.
///
/// `skip` names pairs of a known, documented class of differences.
fn compare(
    test: &str,
    scheme: Scheme,
    pairs: &[(String, String)],
    answers: &[Answer],
    skip: &dyn Fn(&str, &str) -> bool,
    started: Instant,
) {
    let mut checked = 0usize;
    let mut refused = 0usize;
    let mut skipped = 0usize;
    let mut skipped_differing = 0usize;
    // VIGIL_DIFFERENTIAL_VERBOSE=1 lists the skipped pairs that differ.
    let verbose = std::env::var("VIGIL_DIFFERENTIAL_VERBOSE").is_ok_and(|v| v == "1");
    let mut failures = Vec::new();
    for ((a, b), answer) in pairs.iter().zip(answers) {
        let Answer::Order(want) = *answer else {
            refused += 1;
            continue;
        };
        if skip(a, b) {
            skipped += 1;
            let got = scheme.compare(a, b).ok();
            if got != Some(want) {
                skipped_differing += 1;
                if verbose {
                    eprintln!("{test}: skipped: {a:?} vs {b:?}: reference {want:?}, vigil {got:?}");
                }
            }
            continue;
        }
        checked += 1;
        match scheme.compare(a, b) {
            Ok(got) if got == want => {}
            Ok(got) => failures.push(format!("{a:?} vs {b:?}: reference {want:?}, vigil {got:?}")),
            Err(e) => failures.push(format!("{a:?} vs {b:?}: reference {want:?}, vigil: {e}")),
        }
    }
    eprintln!(
        "{test}: {checked} pairs checked, {refused} refused by the reference, \
         {skipped} in skipped classes ({skipped_differing} of them answered differently), \
         {:.1}s",
        started.elapsed().as_secs_f64()
    );
    assert!(checked > 1000, "{test}: only {checked} pairs checked");
    failures.sort();
    failures.dedup();
    assert!(
        failures.is_empty(),
        "{test}: {} disagreements with the reference:\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

// ----------------------------------------------------------------- PyPI --

const PYPI_ALPHABET: Alphabet = Alphabet {
    pieces: &[
        "a1",
        "b2",
        "rc1",
        "c3",
        ".dev0",
        ".dev",
        ".post1",
        "-1",
        "-2",
        ".0",
        ".1",
        "+local",
        "+abc.5",
        "+1",
        "alpha",
        "beta",
        "pre",
        "preview",
        "rev",
        "r",
        "post",
        "dev",
        "-foo",
        "1!",
        ".*",
        "_",
        "-",
        "x",
        "m1",
        "p1",
        "-final",
        "-SNAPSHOT",
        ".a",
    ],
    separators: &['.', '-', '_', '+', '!'],
};

fn pypi_pairs() -> Vec<(String, String)> {
    let base = fixture_versions(&["pypi-versions.txt", "pypi-versions-generated.txt"]);
    pairs(0x5eed_0001, &base, &PYPI_ALPHABET)
}

const PACKAGING_PROGRAM: &str = r#"
import sys
from packaging.version import Version, InvalidVersion
out = []
for line in sys.stdin.read().split("\n"):
    if not line:
        continue
    a, b = line.split("\t")
    try:
        x, y = Version(a), Version(b)
    except InvalidVersion:
        out.append("invalid")
        continue
    out.append(str((x > y) - (x < y)))
sys.stdout.write("\n".join(out) + "\n")
"#;

/// PEP 440 against the current `packaging`. It refuses every string that is
/// not PEP 440 (it has no `LegacyVersion` any more), so those pairs are not
/// checked here but in `pypi_legacy_against_packaging_21`.
#[test]
fn pypi_against_packaging() {
    let test = "pypi_against_packaging";
    let ok = Command::new("python3")
        .args(["-c", "import packaging.version"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        return missing(test, "python3 with `packaging` (pip install packaging)");
    }
    let started = Instant::now();
    let pairs = pypi_pairs();
    let mut command = Command::new("python3");
    command.args(["-c", PACKAGING_PROGRAM]);
    let answers = ask(command, &pairs);
    compare(
        test,
        Scheme::Pep440,
        &pairs,
        &answers,
        &|_, _| false,
        started,
    );
}

const LEGACY_PROGRAM: &str = r#"
import sys, warnings
warnings.simplefilter("ignore")
from packaging.version import parse, LegacyVersion
out = []
for line in sys.stdin.read().split("\n"):
    if not line:
        continue
    a, b = line.split("\t")
    x, y = parse(a), parse(b)
    if not (isinstance(x, LegacyVersion) or isinstance(y, LegacyVersion)):
        out.append("invalid")  # both PEP 440: the other test's business
        continue
    out.append(str((x > y) - (x < y)))
sys.stdout.write("\n".join(out) + "\n")
"#;

/// Pairs with at least one non-PEP 440 string, against `packaging` 21.3,
/// the last release with `LegacyVersion`, installed on its own path.
#[test]
fn pypi_legacy_against_packaging_21() {
    let test = "pypi_legacy_against_packaging_21";
    let path = tools_dir().join("packaging-21");
    let ok = Command::new("python3")
        .args(["-c", "from packaging.version import LegacyVersion"])
        .env("PYTHONPATH", &path)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        return missing(
            test,
            &format!(
                "packaging 21.3 in {} (pip install --target DIR packaging==21.3)",
                path.display()
            ),
        );
    }
    let started = Instant::now();
    let pairs = pypi_pairs();
    let mut command = Command::new("python3");
    command
        .args(["-c", LEGACY_PROGRAM])
        .env("PYTHONPATH", &path);
    let answers = ask(command, &pairs);
    // Our parser refuses the empty string, which LegacyVersion accepts; the
    // mutations never produce it (see `mutate`), so nothing is skipped.
    compare(
        test,
        Scheme::Pep440,
        &pairs,
        &answers,
        &|_, _| false,
        started,
    );
}

// --------------------------------------------------------------- SemVer --

const SEMVER_ALPHABET: Alphabet = Alphabet {
    pieces: &[
        "-alpha",
        "-beta.1",
        "-rc.1",
        "-0",
        "-1",
        ".1",
        ".0",
        "-a.b",
        "-A",
        "-x-y",
        "+build",
        "+1.2",
        "-pre+b",
        ".10",
        "-11",
        "-alpha.10",
        "-01",
        "v",
    ],
    separators: &['.', '-', '+'],
};

fn semver_pairs(seed: u64) -> Vec<(String, String)> {
    let base = fixture_versions(&["semver-versions.txt"]);
    pairs(seed, &base, &SEMVER_ALPHABET)
}

const NODE_PROGRAM: &str = r#"
const semver = require(process.env.VIGIL_NODE_SEMVER);
const input = require("fs").readFileSync(0, "utf8");
const out = [];
for (const line of input.split("\n")) {
  if (!line) continue;
  const [a, b] = line.split("\t");
  if (semver.parse(a) === null || semver.parse(b) === null) {
    out.push("invalid");
    continue;
  }
  out.push(String(semver.compare(a, b)));
}
process.stdout.write(out.join("\n") + "\n");
"#;

/// SemVer against npm's `semver` (strict parsing). Versions it refuses
/// (`1`, `1.2`, `1.2.3.4`, leading zeros) are skipped.
#[test]
fn semver_against_node_semver() {
    let test = "semver_against_node_semver";
    let module = tools_dir().join("node_modules/semver");
    if !have("node") {
        return missing(test, "node");
    }
    if !module.join("package.json").is_file() {
        return missing(
            test,
            &format!(
                "npm semver in {} (npm install --prefix DIR semver)",
                module.display()
            ),
        );
    }
    let started = Instant::now();
    let pairs = semver_pairs(0x5eed_0002);
    let mut command = Command::new("node");
    command
        .args(["-e", NODE_PROGRAM])
        .env("VIGIL_NODE_SEMVER", &module);
    let answers = ask(command, &pairs);
    compare(
        test,
        Scheme::Semver,
        &pairs,
        &answers,
        &|_, _| false,
        started,
    );
}

// ------------------------------------------------------------------- Go --

/// Where Debian's `golang-golang-x-mod-dev` puts the sources.
const DEBIAN_GOPATH: &str = "/usr/share/gocode";

const GO_PROGRAM: &str = r#"package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/semver"
)

func withV(s string) string {
	if strings.HasPrefix(s, "v") {
		return s
	}
	return "v" + s
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		parts := strings.SplitN(in.Text(), "\t", 2)
		a, b := withV(parts[0]), withV(parts[1])
		if !semver.IsValid(a) || !semver.IsValid(b) {
			fmt.Fprintln(out, "invalid")
			continue
		}
		fmt.Fprintln(out, semver.Compare(a, b))
	}
}
"#;

/// Go versions against `golang.org/x/mod/semver`, which wants the `v` that
/// OSV's Go records leave out: the program adds it, as vigil reads both.
/// Versions it refuses (more than three numbers, leading zeros) are skipped.
#[test]
fn go_against_x_mod_semver() {
    let test = "go_against_x_mod_semver";
    if !have("go") {
        return missing(test, "go (apt-get install golang-go)");
    }
    let source = Path::new(DEBIAN_GOPATH).join("src/golang.org/x/mod/semver/semver.go");
    if !source.is_file() {
        return missing(
            test,
            &format!(
                "{} (apt-get install golang-golang-x-mod-dev)",
                source.display()
            ),
        );
    }
    let started = Instant::now();
    let scratch = Scratch::new("go");
    let program = scratch.write("main.go", GO_PROGRAM);
    let cache = scratch.0.join("cache");
    let mut pairs = semver_pairs(0x5eed_0003);
    // Go versions as OSV and go.sum write them.
    let go_base: Vec<String> = [
        "v0.0.0-20191109021931-daa7c04131f5",
        "v0.0.0-20200101000000-000000000000",
        "v1.2.4-0.20191109021931-daa7c04131f5",
        "v1.2.4-pre.0.20191109021931-daa7c04131f5",
        "v2.0.0+incompatible",
        "v2.0.1+incompatible",
        "1.2.3",
        "0.0.0-20210101000000-abcdef012345",
        "v1",
        "v1.2",
    ]
    .iter()
    .map(|s| (*s).to_string())
    .collect();
    pairs.extend(pairs_limited(0x5eed_0004, &go_base, 2_000));
    let mut command = Command::new("go");
    command
        .arg("run")
        .arg(&program)
        .env("GO111MODULE", "off")
        .env("GOPATH", DEBIAN_GOPATH)
        .env("GOPROXY", "off")
        .env("GOFLAGS", "")
        .env("GOTOOLCHAIN", "local")
        .env("GOCACHE", &cache);
    let answers = ask(command, &pairs);
    compare(test, Scheme::Go, &pairs, &answers, &|_, _| false, started);
}

/// Like [`pairs`], with a smaller count.
fn pairs_limited(seed: u64, base: &[String], n: usize) -> Vec<(String, String)> {
    let mut all = pairs(seed, base, &SEMVER_ALPHABET);
    all.truncate(n);
    all
}

// ---------------------------------------------------------------- Maven --

/// Where Debian's `maven` package keeps `maven-artifact`.
const DEBIAN_MAVEN_LIB: &str = "/usr/share/maven/lib";

const MAVEN_PROGRAM: &str = r#"
import org.apache.maven.artifact.versioning.ComparableVersion;
import java.io.*;
import java.nio.charset.StandardCharsets;

public class Compare {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isEmpty()) continue;
            String[] p = line.split("\t", -1);
            int c = new ComparableVersion(p[0]).compareTo(new ComparableVersion(p[1]));
            out.append(Integer.signum(c)).append('\n');
        }
        System.out.print(out);
    }
}
"#;

const MAVEN_ALPHABET: Alphabet = Alphabet {
    pieces: &[
        "-SNAPSHOT",
        "-alpha-1",
        "-beta",
        "-rc1",
        "-RC2",
        "-cr1",
        "-M1",
        "-m2",
        "a1",
        "b2",
        "-ga",
        "-final",
        ".Final",
        "-sp1",
        "-sp",
        ".0",
        "-0",
        ".1",
        "-1",
        "-foo",
        ".bar",
        "x",
        "-1.2",
        "-jre",
        "-android",
        ".RELEASE",
        "-release",
        "..",
        "--",
        "-20150521",
    ],
    separators: &['.', '-'],
};

/// The `maven-artifact` jar of Debian's `maven`.
fn maven_artifact_jar() -> Option<PathBuf> {
    let entries = std::fs::read_dir(DEBIAN_MAVEN_LIB).ok()?;
    entries.filter_map(Result::ok).map(|e| e.path()).find(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("maven-artifact") && n.ends_with(".jar"))
    })
}

/// Pairs where Debian's Maven (3.8.7) and the fixtures disagree by design.
///
/// The fixtures follow the POM reference's "Version Order Specification":
/// a qualifier after `.` is its own kind of token (`.qualifier <
/// -qualifier`) and the zeros before it stay (`1.0.0.RC1` is
/// `1.0.0.rc-1`). Maven 3.8.7 reads `.qualifier` as `-qualifier` and drops
/// those zeros (`1-rc-1`), so `1.0.0-RC16 < 1.0.0.RC8-beta` in the fixtures
/// but not in Maven. Any version with a `.` directly before a letter is in
/// this class.
///
/// 3.8.7 also has no `release` alias (the fixtures' `1release = 1`), and
/// does not trim a null qualifier before a `-` inside a version (the
/// fixtures' `1-1 = 1-ga-1`); versions with `ga`, `final` or `release`
/// followed by `-` or `.`, or containing `release`, are skipped as well.
fn maven_known_difference(a: &str, b: &str) -> bool {
    let dot_qualifier = |s: &str| {
        let bytes = s.as_bytes();
        bytes
            .windows(2)
            .any(|w| w[0] == b'.' && !w[1].is_ascii_digit() && w[1] != b'.' && w[1] != b'-')
    };
    let inner_null = |s: &str| {
        let s = s.to_lowercase();
        s.contains("release")
            || ["ga", "final"].iter().any(|q| {
                s.match_indices(q).any(|(i, _)| {
                    let after = s.as_bytes().get(i + q.len());
                    matches!(after, Some(b'-' | b'.')) || after.is_some_and(u8::is_ascii_digit)
                })
            })
    };
    [a, b]
        .iter()
        .any(|s| dot_qualifier(s) || inner_null(s) || hyphen_null_inside(s))
}

/// Whether a version has a null token (`0` or empty) after a `-` or a
/// letter, with another token after it (`3.0-0-M5`, `1.3-0b1`, `2.0--1`,
/// `3-0.0-rc7`).
///
/// The fixtures trim such tokens (the specification trims nulls before
/// every `-`, so `3.0-0-M5 == 3.0.0-M5`); Maven 3.8.7 drops the `0` but
/// keeps the sub-list that the `-` opened, so the two differ there.
fn hyphen_null_inside(s: &str) -> bool {
    let b = s.to_lowercase().into_bytes();
    let is_sep = |c: u8| c == b'.' || c == b'-';
    (0..b.len()).any(|i| {
        // An empty token after `-`, followed by another one.
        if b[i] == b'-' && b.get(i + 1).is_some_and(|c| is_sep(*c)) {
            return true;
        }
        // A run of zeros after `-` or a letter, followed by anything but a
        // digit (`-0.0-alpha` counts: the `.0` goes, then the `-0`).
        if b[i] != b'0' || i == 0 || b[i - 1].is_ascii_digit() || b[i - 1] == b'.' {
            return false;
        }
        let end = i + b[i..].iter().take_while(|c| **c == b'0').count();
        b.get(end).is_some_and(|c| !c.is_ascii_digit())
    })
}

/// Maven against `ComparableVersion` of Debian's `maven` package.
#[test]
fn maven_against_comparable_version() {
    let test = "maven_against_comparable_version";
    if !have("java") {
        return missing(test, "java (apt-get install maven)");
    }
    let Some(jar) = maven_artifact_jar() else {
        return missing(
            test,
            &format!("{DEBIAN_MAVEN_LIB}/maven-artifact*.jar (apt-get install maven)"),
        );
    };
    let started = Instant::now();
    let scratch = Scratch::new("maven");
    let program = scratch.write("Compare.java", MAVEN_PROGRAM);
    let base = fixture_versions(&["maven-versions.txt", "maven-versions-generated.txt"]);
    let pairs = pairs(0x5eed_0005, &base, &MAVEN_ALPHABET);
    let mut command = Command::new("java");
    command.arg("-cp").arg(&jar).arg(&program);
    let answers = ask(command, &pairs);
    compare(
        test,
        Scheme::Maven,
        &pairs,
        &answers,
        &maven_known_difference,
        started,
    );
}
