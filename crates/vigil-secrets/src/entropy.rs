//! Shannon entropy and the checksums some token formats carry.

use crate::rules::Checksum;

/// The Shannon entropy of `bytes`, in bits per byte (0 for empty input;
/// at most 8). Random hex approaches 4, random base64 6.
pub fn shannon(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[usize::from(b)] += 1;
    }
    let n = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `n` in base 62 (digits, upper case, lower case), left-padded with `0`
/// to `width` characters.
pub fn base62(mut n: u64, width: usize) -> String {
    let mut digits = Vec::new();
    while n > 0 {
        digits.push(BASE62[(n % 62) as usize]);
        n /= 62;
    }
    while digits.len() < width {
        digits.push(b'0');
    }
    digits.reverse();
    String::from_utf8_lossy(&digits).into_owned()
}

/// Whether `secret` passes the checksum its format defines.
pub fn checksum_ok(kind: Checksum, secret: &[u8]) -> bool {
    match kind {
        Checksum::GithubCrc32 => github_crc32_ok(secret),
    }
}

/// GitHub's token formats (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`): after
/// the prefix, 30 random base62 characters, then the CRC-32 of those 30
/// characters in base62, six characters wide.
fn github_crc32_ok(secret: &[u8]) -> bool {
    let Some(pos) = secret.iter().position(|&b| b == b'_') else {
        return false;
    };
    let body = &secret[pos + 1..];
    if body.len() != 36 {
        return false;
    }
    let (random, check) = body.split_at(30);
    let crc = crc32fast::hash(random);
    base62(u64::from(crc), 6).as_bytes() == check
}

/// A GitHub-format token with a valid checksum, for tests and fixtures:
/// `prefix` (`ghp_`) then `random` (30 base62 characters) then the
/// checksum.
pub fn github_token(prefix: &str, random: &str) -> String {
    let crc = crc32fast::hash(random.as_bytes());
    format!("{prefix}{random}{}", base62(u64::from(crc), 6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_of_known_strings() {
        assert_eq!(shannon(b""), 0.0);
        assert_eq!(shannon(b"aaaaaaaa"), 0.0);
        assert!((shannon(b"abababab") - 1.0).abs() < 1e-9);
        assert!((shannon(b"0123456789abcdef") - 4.0).abs() < 1e-9);
    }

    #[test]
    fn github_checksum() {
        let t = github_token("ghp_", "Ab3dEf6hIj9lMn2pQr5tUv8xYz1BcD");
        assert!(checksum_ok(Checksum::GithubCrc32, t.as_bytes()));
        let mut bad = t.clone().into_bytes();
        let last = bad.len() - 1;
        bad[last] = if bad[last] == b'0' { b'1' } else { b'0' };
        assert!(!checksum_ok(Checksum::GithubCrc32, &bad));
        assert!(!checksum_ok(Checksum::GithubCrc32, b"ghp_short"));
    }

    #[test]
    fn base62_pads() {
        assert_eq!(base62(0, 6), "000000");
        assert_eq!(base62(61, 2), "0z");
        assert_eq!(base62(62, 1), "10");
    }
}
