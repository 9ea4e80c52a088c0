//! Differential tests of the dpkg, RPM, RubyGems and Composer schemes
//! against the reference implementations, on thousands of pairs: the
//! versions of the shared fixtures (and, for RPM, every EVR in the
//! AlmaLinux advisories) plus generated mutations of them.
//!
//! References, each fed all its pairs in one batch on standard input:
//!
//! - dpkg: python3-apt's `apt_pkg.version_compare` on every pair, and
//!   `dpkg --compare-versions` itself on a sample (one process per call is
//!   slow);
//! - RPM: python3-rpm, `rpm.labelCompare` on the `(e, v, r)` that
//!   `rpm.ver` (rpm's own EVR parser) reads;
//! - RubyGems: `Gem::Version#<=>` in `ruby`;
//! - Composer: PHP's `version_compare` in `php`, after dropping one leading
//!   `v`/`V` as Composer does.
//!
//! There is no apk reference: apk-tools has no package in Debian 12, and
//! the apk fixtures were themselves generated with `apk version -t`.
//!
//! A missing reference tool makes its test print a line to stderr and pass,
//! unless `VIGIL_REFERENCE_TESTS=1`, where it fails. Where we knowingly
//! depart from a reference (the fixtures win, or the reference is not a
//! total order), the pair is counted under a named class and skipped; any
//! other disagreement fails the test.
#![allow(clippy::unwrap_used)]
// Tests state their expectations with unwrap.

// Skip notices and per-class counts are meant for the person running the
// tests.
#![allow(clippy::print_stderr)]

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use vigil_versions::Scheme;

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

/// Whether a missing reference tool must fail the test.
fn references_required() -> bool {
    std::env::var("VIGIL_REFERENCE_TESTS").is_ok_and(|v| v == "1")
}

/// Reports a missing tool: a failure when references are required, a
/// notice otherwise.
fn missing(what: &str) {
    assert!(
        !references_required(),
        "VIGIL_REFERENCE_TESTS=1 but {what} is not available"
    );
    // Straight to stderr: libtest would hide `eprintln!` of a passing test.
    let _ = writeln!(
        std::io::stderr(),
        "differential test skipped: {what} is not available"
    );
}

/// The system Python (with Debian's python3-apt and python3-rpm), not a
/// virtualenv's.
fn python() -> &'static str {
    if std::path::Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

/// Whether `program args...` runs and exits with success.
fn works(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs a reference program once, writing `input` to its standard input,
/// and returns its standard output.
fn run_batch(program: &str, args: &[&str], input: String) -> String {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {program}: {e}"));
    let mut stdin = child.stdin.take().unwrap_or_else(|| panic!("no stdin"));
    // Write from another thread so that a large output cannot block us.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("running {program}: {e}"));
    writer
        .join()
        .unwrap_or_else(|_| panic!("writer thread"))
        .unwrap_or_else(|e| panic!("writing to {program}: {e}"));
    assert!(
        out.status.success(),
        "{program} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap_or_else(|e| panic!("{program} output: {e}"))
}

/// A small deterministic PRNG (xorshift64*), so runs are reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

/// The comparisons of fixture files, as `(a, b)` pairs, and their
/// versions.
fn fixture_pairs(files: &[&str]) -> (Vec<(String, String)>, Vec<String>) {
    let mut pairs = Vec::new();
    let mut versions = BTreeSet::new();
    for file in files {
        let path = data_dir().join("version-fixtures").join(file);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with("# ") || line.starts_with("// ") {
                continue;
            }
            if let [a, _, b] = line.split(' ').collect::<Vec<_>>()[..] {
                pairs.push((a.to_string(), b.to_string()));
                versions.insert(a.to_string());
                versions.insert(b.to_string());
            }
        }
    }
    (pairs, versions.into_iter().collect())
}

/// One small random edit of `v`: insert, replace or delete a character,
/// append a scheme-typical ending, or change a digit.
fn mutate(rng: &mut Rng, v: &str, alphabet: &[char], endings: &[&str]) -> String {
    let mut s: Vec<char> = v.chars().collect();
    let at = rng.below(s.len() + 1);
    match rng.below(5) {
        0 => s.insert(at, *rng.pick(alphabet)),
        1 if at < s.len() => s[at] = *rng.pick(alphabet),
        2 if at < s.len() && s.len() > 1 => {
            s.remove(at);
        }
        3 => s.extend(rng.pick(endings).chars()),
        _ => {
            let digits: Vec<usize> = (0..s.len()).filter(|&i| s[i].is_ascii_digit()).collect();
            if !digits.is_empty() {
                let i = *rng.pick(&digits);
                s[i] = char::from(b'0' + (rng.below(10) as u8));
            }
        }
    }
    s.into_iter().collect()
}

/// The pairs to check for a scheme: the fixtures' own pairs, pairs of a
/// version and a mutation of it (twice mutated too), and random pairs from
/// the whole pool. Only versions our parser accepts are used.
fn build_pairs(
    scheme: Scheme,
    fixture: (Vec<(String, String)>, Vec<String>),
    extra: Vec<String>,
    alphabet: &[char],
    endings: &[&str],
    target: usize,
) -> Vec<(String, String)> {
    let ok = |s: &str| scheme.parse(s).is_ok();
    let (fixture_pairs, mut pool) = fixture;
    pool.extend(extra);
    pool.retain(|v| ok(v));
    pool.sort();
    pool.dedup();
    assert!(!pool.is_empty(), "no versions for {scheme}");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut pairs: Vec<(String, String)> = fixture_pairs
        .into_iter()
        .filter(|(a, b)| ok(a) && ok(b))
        .collect();
    let mut mutants = Vec::new();
    while pairs.len() < target * 2 / 3 {
        let base = rng.pick(&pool).clone();
        let mut m = mutate(&mut rng, &base, alphabet, endings);
        if rng.below(3) == 0 {
            m = mutate(&mut rng, &m, alphabet, endings);
        }
        if ok(&m) && m != base {
            mutants.push(m.clone());
            pairs.push((base, m));
        }
    }
    pool.extend(mutants);
    while pairs.len() < target {
        let a = rng.pick(&pool).clone();
        let b = rng.pick(&pool).clone();
        pairs.push((a, b));
    }
    pairs
}

/// `<`, `=` or `>` for an ordering.
fn sign(o: Ordering) -> &'static str {
    match o {
        Ordering::Less => "<",
        Ordering::Equal => "=",
        Ordering::Greater => ">",
    }
}

/// Compares our answers with a reference's (`<`, `=`, `>` or `E` for a
/// version the reference refuses), one line per pair. `known` names the
/// documented class of a disagreement, if it has one. Fails on any other
/// disagreement; returns the number of pairs that agreed.
fn compare_with(
    reference: &str,
    scheme: Scheme,
    pairs: &[(String, String)],
    output: &str,
    known: impl Fn(&str, &str, &str, &str) -> Option<&'static str>,
) -> usize {
    let answers: Vec<&str> = output.lines().collect();
    assert_eq!(
        answers.len(),
        pairs.len(),
        "{reference}: {} answers for {} pairs",
        answers.len(),
        pairs.len()
    );
    let mut agreed = 0;
    let mut skipped: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for ((a, b), theirs) in pairs.iter().zip(answers) {
        let ours = match scheme.compare(a, b) {
            Ok(o) => sign(o),
            Err(e) => panic!("{e}"),
        };
        if ours == theirs {
            agreed += 1;
        } else if let Some(class) = known(a, b, ours, theirs) {
            *skipped.entry(class).or_default() += 1;
        } else {
            failures.push(format!("{a} vs {b}: ours {ours}, {reference} {theirs}"));
        }
    }
    eprintln!(
        "{reference}: {} pairs, {agreed} agree, {} known departures {skipped:?}, {} failures",
        pairs.len(),
        skipped.values().sum::<usize>(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} pairs disagree with {reference}:\n{}",
        failures.len(),
        pairs.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    agreed
}

/// Lines `a<TAB>b` for a batch.
fn batch(pairs: &[(String, String)]) -> String {
    pairs.iter().map(|(a, b)| format!("{a}\t{b}\n")).collect()
}

fn no_known_departure(_: &str, _: &str, _: &str, _: &str) -> Option<&'static str> {
    None
}

// ---------------------------------------------------------------- dpkg ---

const APT_COMPARE: &str = r#"
import sys, apt_pkg
apt_pkg.init_system()
out = []
for line in sys.stdin:
    a, b = line.rstrip("\n").split("\t")
    c = apt_pkg.version_compare(a, b)
    out.append("<" if c < 0 else ">" if c > 0 else "=")
sys.stdout.write("".join(x + "\n" for x in out))
"#;

/// dpkg's exit status is 0 (true), 1 (false) or 2 (bad syntax: `E`).
const DPKG_COMPARE: &str = r#"
tab="$(printf '\t')"
while IFS="$tab" read -r a b; do
  dpkg --compare-versions "$a" lt "$b" 2>/dev/null; r=$?
  if [ $r -eq 0 ]; then echo '<'
  elif [ $r -ne 1 ]; then echo E
  elif dpkg --compare-versions "$a" eq "$b" 2>/dev/null; then echo '='
  else echo '>'
  fi
done
"#;

fn dpkg_pairs() -> Vec<(String, String)> {
    let alphabet: Vec<char> = "0123456789.+~-:abzAZ".chars().collect();
    build_pairs(
        Scheme::Dpkg,
        fixture_pairs(&["debian-versions.txt", "debian-versions-generated.txt"]),
        Vec::new(),
        &alphabet,
        &[
            "~rc1",
            "+deb9u1",
            "-1",
            ".0",
            "~",
            "a",
            "+",
            "-0ubuntu1",
            "1:",
        ],
        30_000,
    )
}

#[test]
fn dpkg_against_python_apt() {
    if !works(python(), &["-c", "import apt_pkg"]) {
        return missing("python3-apt (apt_pkg)");
    }
    let pairs = dpkg_pairs();
    let out = run_batch(python(), &["-c", APT_COMPARE], batch(&pairs));
    compare_with("apt_pkg", Scheme::Dpkg, &pairs, &out, no_known_departure);
}

#[test]
fn dpkg_against_dpkg() {
    if !works("dpkg", &["--compare-versions", "1", "lt", "2"]) {
        return missing("dpkg");
    }
    // One process per comparison: a sample, with all the hand-written
    // fixture pairs first.
    let pairs: Vec<_> = dpkg_pairs().into_iter().step_by(20).collect();
    let out = run_batch("sh", &["-c", DPKG_COMPARE], batch(&pairs));
    compare_with("dpkg", Scheme::Dpkg, &pairs, &out, no_known_departure);
}

// ----------------------------------------------------------------- RPM ---

const RPM_COMPARE: &str = r#"
import sys, rpm
def evr(s):
    v = rpm.ver(s)
    return (v.e, v.v, v.r)
out = []
for line in sys.stdin:
    a, b = line.rstrip("\n").split("\t")
    try:
        c = rpm.labelCompare(evr(a), evr(b))
        out.append("<" if c < 0 else ">" if c > 0 else "=")
    except Exception:
        out.append("E")
sys.stdout.write("".join(x + "\n" for x in out))
"#;

/// Prints every version in the AlmaLinux OSV advisories.
const ALMA_VERSIONS: &str = r#"
import json, sys, zipfile
seen = set()
with zipfile.ZipFile(sys.argv[1]) as z:
    for name in z.namelist():
        rec = json.loads(z.read(name))
        for aff in rec.get("affected", []):
            for r in aff.get("ranges", []):
                for ev in r.get("events", []):
                    for v in ev.values():
                        seen.add(v)
            seen.update(aff.get("versions", []))
for v in sorted(seen):
    print(v)
"#;

#[test]
fn rpm_against_python_rpm() {
    if !works(
        python(),
        &["-c", "import rpm; rpm.ver('1'); rpm.labelCompare"],
    ) {
        return missing("python3-rpm (rpm.labelCompare, rpm.ver)");
    }
    let zip = data_dir().join("osv/AlmaLinux/all.zip");
    let mut alma = Vec::new();
    if zip.exists() {
        let zip = zip.to_string_lossy().into_owned();
        let out = run_batch(python(), &["-c", ALMA_VERSIONS, &zip], String::new());
        alma = out
            .lines()
            .filter(|v| *v != "0")
            .map(str::to_string)
            .collect();
        assert!(alma.len() > 1000, "only {} AlmaLinux versions", alma.len());
    }
    let alphabet: Vec<char> = "0123456789.-_+~^:aZ".chars().collect();
    let pairs = build_pairs(
        Scheme::Rpm,
        fixture_pairs(&["redhat-versions.txt"]),
        alma,
        &alphabet,
        &[
            "~rc1", "^git1", ".el9", "-1", ".1", "~", "^", "a", "_0", "-",
        ],
        30_000,
    );
    let out = run_batch(python(), &["-c", RPM_COMPARE], batch(&pairs));
    compare_with(
        "rpm.labelCompare",
        Scheme::Rpm,
        &pairs,
        &out,
        no_known_departure,
    );
}

// ------------------------------------------------------------ RubyGems ---

const RUBY_COMPARE: &str = r#"
out = []
STDIN.each_line do |line|
  a, b = line.chomp.split("\t", -1)
  if Gem::Version.correct?(a) && Gem::Version.correct?(b)
    c = Gem::Version.new(a) <=> Gem::Version.new(b)
    out << (c < 0 ? "<" : c > 0 ? ">" : "=")
  else
    out << "E"
  end
end
STDOUT.write(out.map { |x| x + "\n" }.join)
"#;

/// Whether RubyGems refuses `v` only because of our one tolerance: letters
/// right after the leading digits (`1beta`).
fn letters_after_leading_digits(v: &str) -> bool {
    let first = v.trim().split(['.', '-']).next().unwrap_or_default();
    first.starts_with(|c: char| c.is_ascii_digit())
        && first.contains(|c: char| c.is_ascii_alphabetic())
}

#[test]
fn rubygems_against_ruby() {
    if !works("ruby", &["-e", "Gem::Version.new('1.0')"]) {
        return missing("ruby");
    }
    let alphabet: Vec<char> = "0123456789.-abzA".chars().collect();
    let pairs = build_pairs(
        Scheme::RubyGems,
        fixture_pairs(&["rubygems-versions.txt", "rubygems-versions-generated.txt"]),
        Vec::new(),
        &alphabet,
        &[".0", ".a", ".pre.1", "-rc1", ".beta2", "a", ".0.0", "-1"],
        20_000,
    );
    let out = run_batch("ruby", &["-e", RUBY_COMPARE], batch(&pairs));
    compare_with(
        "Gem::Version",
        Scheme::RubyGems,
        &pairs,
        &out,
        |a, b, _, theirs| {
            (theirs == "E" && (letters_after_leading_digits(a) || letters_after_leading_digits(b)))
                .then_some("letters right after the leading digits (refused by RubyGems)")
        },
    );
}

// ------------------------------------------------------------ Composer ---

const PHP_COMPARE: &str = r#"
$out = [];
$strip = function ($s) {
    return ($s !== '' && ($s[0] === 'v' || $s[0] === 'V')) ? substr($s, 1) : $s;
};
while (($line = fgets(STDIN)) !== false) {
    [$a, $b] = explode("\t", rtrim($line, "\n"));
    $c = version_compare($strip($a), $strip($b));
    $out[] = $c < 0 ? '<' : ($c > 0 ? '>' : '=');
}
echo implode('', array_map(function ($x) { return $x . "\n"; }, $out));
"#;

/// Why PHP's `version_compare` and our total order may differ on `v`, if
/// they may. In each class PHP's answers are not a total order (checked
/// with PHP 8.2), so no order can follow them:
///
/// - punctuation other than `. - _ +` right after a digit becomes a part of
///   its own: `1#` equals both `1` and `1.1`;
/// - a separator at either end makes an empty part, which compares as less
///   than everything, both ways: `1.0.` < `1.0.dev` and `1.0.dev` < `1.0.`;
/// - numbers beyond 64 bits saturate, so all of them are equal.
fn php_quirk(v: &str) -> Option<&'static str> {
    let t = v.strip_prefix(['v', 'V']).unwrap_or(v);
    if t.chars()
        .any(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+')))
    {
        return Some("punctuation other than . - _ + (PHP: `1#` == 1 and == 1.1)");
    }
    if !t.starts_with(|c: char| c.is_ascii_alphanumeric())
        || !t.ends_with(|c: char| c.is_ascii_alphanumeric())
    {
        return Some("separator at either end (PHP: empty part, less than everything both ways)");
    }
    if t.split(|c: char| !c.is_ascii_digit())
        .any(|d| d.trim_start_matches('0').len() > 18)
    {
        return Some("number beyond 64 bits (PHP saturates)");
    }
    None
}

#[test]
fn packagist_against_php() {
    if !works(
        "php",
        &["-r", "exit(version_compare('1.0', '1.1') < 0 ? 0 : 1);"],
    ) {
        return missing("php (version_compare)");
    }
    let alphabet: Vec<char> = "0123456789.-_+abpvRC#".chars().collect();
    let pairs = build_pairs(
        Scheme::Packagist,
        fixture_pairs(&["packagist-versions.txt", "packagist-versions-generated.txt"]),
        Vec::new(),
        &alphabet,
        &[
            "-dev", "-beta1", "RC2", "pl1", "-patch1", ".0", "-alpha", "-foo", "a", "p",
        ],
        30_000,
    );
    let out = run_batch("php", &["-r", PHP_COMPARE], batch(&pairs));
    compare_with(
        "version_compare",
        Scheme::Packagist,
        &pairs,
        &out,
        |a, b, _, _| php_quirk(a).or_else(|| php_quirk(b)),
    );
}
