//! One process's own files under `/proc/PID`: `stat`, `status`,
//! `cmdline`, `exe`; the users of `/etc/passwd`; the boot time of
//! `/proc/stat`. Every parser takes text (or a path below a root given by
//! the caller), so the tests run them on a fixture tree.

use std::collections::HashMap;
use std::io;
use std::path::Path;

/// The kernel thread flag of `/proc/PID/stat` (`PF_KTHREAD`).
const PF_KTHREAD: u64 = 0x0020_0000;

/// Clock ticks per second of `/proc/PID/stat` times (`USER_HZ`). The
/// kernel's user-space ABI fixes it at 100 on every architecture Linux
/// supports today.
pub const CLOCK_TICKS: u64 = 100;

/// What `/proc/PID/stat` says that the agent uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stat {
    /// The command name (`comm`, at most 15 bytes, may hold spaces and
    /// parentheses).
    pub comm: String,
    /// The parent's pid.
    pub ppid: u32,
    /// The kernel's flags (`PF_*`).
    pub flags: u64,
    /// When the process started, in clock ticks after boot.
    pub starttime: u64,
}

impl Stat {
    /// Whether this is a kernel thread (no executable, no user space).
    pub fn is_kernel_thread(&self) -> bool {
        self.flags & PF_KTHREAD != 0
    }
}

/// Parses `/proc/PID/stat`. The command name sits between the first `(`
/// and the *last* `)`, since it may hold both and spaces; the fields after
/// it are numbered from `state` (field 3).
pub fn parse_stat(text: &str) -> Result<Stat, String> {
    let open = text.find('(').ok_or("no `(` before the command name")?;
    let close = text.rfind(')').ok_or("no `)` after the command name")?;
    if close < open {
        return Err("`)` before `(`".to_string());
    }
    let comm = text[open + 1..close].to_string();
    let rest: Vec<&str> = text[close + 1..].split_whitespace().collect();
    // rest[0] is field 3 (state): field n is rest[n - 3].
    let field = |n: usize, name: &str| -> Result<u64, String> {
        let v = rest
            .get(n - 3)
            .ok_or_else(|| format!("truncated: no field {n} ({name})"))?;
        v.parse::<u64>()
            .map_err(|_| format!("field {n} ({name}): `{v}` is not a number"))
    };
    let ppid = field(4, "ppid")?;
    Ok(Stat {
        comm,
        ppid: u32::try_from(ppid).map_err(|_| format!("ppid {ppid} out of range"))?,
        flags: field(9, "flags")?,
        starttime: field(22, "starttime")?,
    })
}

/// What `/proc/PID/status` says that the agent uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Status {
    /// The parent's pid (`PPid:`).
    pub ppid: Option<u32>,
    /// The effective user id (second value of `Uid:`).
    pub uid: Option<u32>,
}

/// Parses `/proc/PID/status` (`Key:\tvalue` lines); a truncated file gives
/// what it holds.
pub fn parse_status(text: &str) -> Status {
    let mut s = Status::default();
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        match key {
            "PPid" => s.ppid = value.trim().parse().ok(),
            "Uid" => {
                let ids: Vec<&str> = value.split_whitespace().collect();
                s.uid = ids.get(1).or(ids.first()).and_then(|v| v.parse().ok());
            }
            _ => {}
        }
    }
    s
}

/// Splits `/proc/PID/cmdline` (arguments ended by NUL bytes; a process
/// that rewrote its arguments may use spaces and no final NUL).
pub fn parse_cmdline(bytes: &[u8]) -> Vec<String> {
    let bytes = bytes.strip_suffix(b"\0").unwrap_or(bytes);
    if bytes.is_empty() {
        return Vec::new();
    }
    bytes
        .split(|b| *b == 0)
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect()
}

/// The executable of a process: `/proc/PID/exe`'s target, without the
/// ` (deleted)` suffix the kernel adds when the file was removed or
/// replaced since it started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exe {
    /// The path.
    pub path: String,
    /// Whether the file was deleted (or replaced, by an upgrade) after the
    /// process started.
    pub deleted: bool,
}

/// Reads `/proc/PID/exe`.
pub fn read_exe(proc_dir: &Path) -> io::Result<Exe> {
    let target = std::fs::read_link(proc_dir.join("exe"))?;
    Ok(exe_from_link(&target.to_string_lossy()))
}

/// Splits a link target into path and deleted flag.
pub fn exe_from_link(target: &str) -> Exe {
    match target.strip_suffix(" (deleted)") {
        Some(path) => Exe {
            path: path.to_string(),
            deleted: true,
        },
        None => Exe {
            path: target.to_string(),
            deleted: false,
        },
    }
}

/// The socket inodes among `/proc/PID/fd`'s links (`socket:[12345]`).
pub fn socket_inodes(proc_dir: &Path) -> io::Result<Vec<u64>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(proc_dir.join("fd"))? {
        let Ok(entry) = entry else { continue };
        // A descriptor closed since the listing is no loss.
        let Ok(target) = std::fs::read_link(entry.path()) else {
            continue;
        };
        if let Some(inode) = socket_inode(&target.to_string_lossy()) {
            out.push(inode);
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// The inode of a `socket:[12345]` link target.
pub fn socket_inode(target: &str) -> Option<u64> {
    target
        .strip_prefix("socket:[")?
        .strip_suffix(']')?
        .parse()
        .ok()
}

/// The inode of a namespace link target (`net:[4026531840]`).
pub fn namespace_inode(target: &str) -> Option<u64> {
    let (_, rest) = target.split_once(":[")?;
    rest.strip_suffix(']')?.parse().ok()
}

/// User names by uid, from an `/etc/passwd` file (`name:x:uid:...`).
pub fn parse_passwd(text: &str) -> HashMap<u32, String> {
    let mut users = HashMap::new();
    for line in text.lines() {
        if line.starts_with('#') {
            continue;
        }
        let mut fields = line.split(':');
        let (Some(name), Some(_), Some(uid)) = (fields.next(), fields.next(), fields.next()) else {
            continue;
        };
        if let Ok(uid) = uid.parse::<u32>() {
            // The first entry of a uid wins, as getpwuid does.
            users.entry(uid).or_insert_with(|| name.to_string());
        }
    }
    users
}

/// The boot time (`btime`, seconds since the epoch) of `/proc/stat`.
pub fn parse_btime(text: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix("btime "))
        .and_then(|v| v.trim().parse().ok())
}

/// Seconds since the epoch as RFC 3339 UTC (`2024-03-01T12:00:00Z`).
pub fn rfc3339(secs: u64) -> String {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(i64::try_from(days).unwrap_or(i64::MAX / 2));
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    // d is in 1..=31 and m in 1..=12 by construction.
    (
        y,
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

/// The placeholder a redacted secret is replaced with.
pub const REDACTED: &str = "***";

/// Words that make an option or variable name secret-looking, compared
/// case-insensitively against the name with `-` and `_` removed.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "pwd",
    "secret",
    "token",
    "apikey",
    "accesskey",
    "privatekey",
    "credential",
    "authkey",
    "clientsecret",
];

/// Whether an option or variable name looks like it holds a secret
/// (`--db-password`, `API_KEY`, `GITHUB_TOKEN`), but not one that names a
/// file holding it (`--password-file`, `TOKEN_PATH`).
pub fn is_secret_name(name: &str) -> bool {
    let n: String = name
        .trim_start_matches('-')
        .chars()
        .filter(|c| *c != '-' && *c != '_' && *c != '.')
        .flat_map(char::to_lowercase)
        .collect();
    // The shell's working directories, not passwords.
    if n.is_empty() || n == "pwd" && name == "PWD" || n == "oldpwd" {
        return false;
    }
    let names_a_file = ["file", "path", "dir", "env", "length", "len"]
        .iter()
        .any(|s| n.ends_with(s));
    !names_a_file && SECRET_WORDS.iter().any(|w| n.contains(w))
}

/// Programs whose `-pSECRET` (no space) is a password.
const DASH_P_PASSWORD: &[&str] = &[
    "mysql",
    "mysqldump",
    "mysqladmin",
    "mariadb",
    "mariadb-dump",
];

/// The command line with secret-looking values replaced by [`REDACTED`]:
/// `--password=x` and `--password x` (any secret-looking option name),
/// `TOKEN=x` (a secret-looking variable name), the password of a URL's
/// `user:password@`, an `Authorization:` header's credentials and the
/// `-pSECRET` of the MySQL clients. The structure stays: the option
/// names, the user, the host.
pub fn redact(args: &[String]) -> Vec<String> {
    let program = args
        .first()
        .map(|a| a.rsplit('/').next().unwrap_or(a).to_string())
        .unwrap_or_default();
    let mut out = Vec::with_capacity(args.len());
    let mut redact_next = false;
    for (i, arg) in args.iter().enumerate() {
        if redact_next {
            redact_next = false;
            if !arg.starts_with('-') {
                out.push(REDACTED.to_string());
                continue;
            }
        }
        if i == 0 {
            out.push(redact_urls(arg));
            continue;
        }
        if let Some(rest) = arg.strip_prefix('-') {
            if let Some((name, _)) = arg.split_once('=') {
                if is_secret_name(name) {
                    out.push(format!("{name}={REDACTED}"));
                    continue;
                }
            } else if rest.starts_with('-') && is_secret_name(arg) {
                redact_next = true;
                out.push(arg.clone());
                continue;
            } else if DASH_P_PASSWORD.contains(&program.as_str())
                && rest.len() > 1
                && rest.starts_with('p')
                && !rest.starts_with("port")
            {
                out.push(format!("-p{REDACTED}"));
                continue;
            } else if rest.len() > 1 && is_secret_name(rest) {
                // A long option with a single dash (`-password x`).
                redact_next = true;
                out.push(arg.clone());
                continue;
            }
        } else if let Some((name, _)) = arg.split_once('=') {
            if !name.contains(['/', ' ', ':']) && is_secret_name(name) {
                out.push(format!("{name}={REDACTED}"));
                continue;
            }
        }
        if let Some(header) = redact_authorization(arg) {
            out.push(header);
            continue;
        }
        out.push(redact_urls(arg));
    }
    out
}

/// `Authorization: Bearer x` → `Authorization: Bearer ***`.
fn redact_authorization(arg: &str) -> Option<String> {
    let (name, value) = arg.split_once(':')?;
    let name_l = name.trim().to_ascii_lowercase();
    if name_l != "authorization" && name_l != "proxy-authorization" {
        return None;
    }
    let value = value.trim();
    let scheme = value
        .split_whitespace()
        .next()
        .filter(|_| value.contains(' '));
    Some(match scheme {
        Some(s) => format!("{name}: {s} {REDACTED}"),
        None => format!("{name}: {REDACTED}"),
    })
}

/// Replaces the password of every `scheme://user:password@host` in `s`.
pub fn redact_urls(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find("://") {
        let (head, tail) = rest.split_at(pos + 3);
        out.push_str(head);
        // The authority ends at the first `/`, `?`, `#` or whitespace.
        let end = tail
            .find(|c: char| c == '/' || c == '?' || c == '#' || c.is_whitespace())
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(at) => {
                let userinfo = &authority[..at];
                match userinfo.split_once(':') {
                    Some((user, _)) => {
                        out.push_str(user);
                        out.push(':');
                        out.push_str(REDACTED);
                    }
                    None => out.push_str(userinfo),
                }
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &[&str]) -> Vec<String> {
        s.iter().map(|a| a.to_string()).collect()
    }

    #[test]
    fn stat_with_spaces_and_parentheses_in_comm() {
        let s = parse_stat("42 (my (odd) prog) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 12345 1000 10 18446744073709551615").unwrap();
        assert_eq!(s.comm, "my (odd) prog");
        assert_eq!(s.ppid, 1);
        assert_eq!(s.starttime, 12345);
        assert!(!s.is_kernel_thread());
        let k =
            parse_stat("2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 3 0 0").unwrap();
        assert!(k.is_kernel_thread());
    }

    #[test]
    fn short_stat_is_an_error() {
        let e = parse_stat("42 (prog) S 1 42 42").unwrap_err();
        assert!(e.contains("truncated"), "{e}");
        assert!(parse_stat("42 prog S").is_err());
        assert!(parse_stat("").is_err());
    }

    #[test]
    fn status_uid_is_the_effective_one() {
        let s = parse_status("Name:\tx\nPPid:\t7\nUid:\t1000\t0\t0\t0\n");
        assert_eq!(s.ppid, Some(7));
        assert_eq!(s.uid, Some(0));
        assert_eq!(parse_status("Name:\tx\nPPi"), Status::default());
    }

    #[test]
    fn cmdline_splits_on_nul() {
        assert_eq!(
            parse_cmdline(b"python3\0-m\0http.server\0"),
            args(&["python3", "-m", "http.server"])
        );
        assert_eq!(
            parse_cmdline(b"nginx: worker process"),
            args(&["nginx: worker process"])
        );
        assert_eq!(parse_cmdline(b"a\0\0b\0"), args(&["a", "", "b"]));
        assert!(parse_cmdline(b"").is_empty());
    }

    #[test]
    fn deleted_executable() {
        let e = exe_from_link("/usr/sbin/my daemon (deleted)");
        assert_eq!(e.path, "/usr/sbin/my daemon");
        assert!(e.deleted);
        assert!(!exe_from_link("/usr/bin/python3.11").deleted);
    }

    #[test]
    fn links() {
        assert_eq!(socket_inode("socket:[12345]"), Some(12345));
        assert_eq!(socket_inode("pipe:[12345]"), None);
        assert_eq!(socket_inode("/dev/null"), None);
        assert_eq!(namespace_inode("net:[4026531840]"), Some(4_026_531_840));
    }

    #[test]
    fn passwd() {
        let u = parse_passwd("# c\nroot:x:0:0:root:/root:/bin/bash\nbad\npostgres:x:105:110::/var/lib/postgresql:/bin/bash\ntoor:x:0:0::/:/bin/sh\n");
        assert_eq!(u.get(&0).map(String::as_str), Some("root"));
        assert_eq!(u.get(&105).map(String::as_str), Some("postgres"));
    }

    #[test]
    fn times() {
        assert_eq!(
            parse_btime("cpu 1 2\nbtime 1700000000\n"),
            Some(1_700_000_000)
        );
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn redaction() {
        let r = redact(&args(&[
            "/usr/bin/app",
            "--password=hunter2",
            "--db-password",
            "s3cr3t",
            "--api-key=abc",
            "--password-file=/run/secrets/pw",
            "--port",
            "5432",
            "GITHUB_TOKEN=ghp_x",
            "PATH=/bin",
            "postgres://app:pw@db.internal:5432/app",
            "--url=https://user:tok@example.com/x?y=1",
            "-H",
            "Authorization: Bearer abc.def",
            "-secret",
            "x",
            "--verbose",
        ]));
        assert_eq!(
            r,
            args(&[
                "/usr/bin/app",
                "--password=***",
                "--db-password",
                "***",
                "--api-key=***",
                "--password-file=/run/secrets/pw",
                "--port",
                "5432",
                "GITHUB_TOKEN=***",
                "PATH=/bin",
                "postgres://app:***@db.internal:5432/app",
                "--url=https://user:***@example.com/x?y=1",
                "-H",
                "Authorization: Bearer ***",
                "-secret",
                "***",
                "--verbose",
            ])
        );
    }

    #[test]
    fn redaction_keeps_flags_and_plain_urls() {
        // A secret-looking flag followed by another flag: nothing to hide.
        assert_eq!(
            redact(&args(&["app", "--token", "--other"])),
            args(&["app", "--token", "--other"])
        );
        assert_eq!(
            redact(&args(&[
                "curl",
                "https://git@example.com/x",
                "http://h/a://b"
            ])),
            args(&["curl", "https://git@example.com/x", "http://h/a://b"])
        );
        assert_eq!(
            redact(&args(&["mysql", "-uroot", "-phunter2", "-P3306"])),
            args(&["mysql", "-uroot", "-p***", "-P3306"])
        );
        assert_eq!(redact(&args(&["ls", "-p"])), args(&["ls", "-p"]));
    }
}
