//! The two things in a document that are not its content: when it was made, and its unique id
//! (SBOMs; saved scans use the time).
//!
//! With `SECURESCAN_FAKE_NOW` set both are pinned (the id is derived from the content and that
//! time), so tests and reproducible builds get byte-identical documents.

use sha2::{Digest, Sha256};

/// The creation time (UTC, `YYYY-MM-DDThh:mm:ssZ`) and the seed of the document's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub created: String,
    /// Mixed into the content digest; empty when pinned, so the id depends on content alone.
    nonce: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("SECURESCAN_FAKE_NOW={0:?} is not an RFC 3339 timestamp (e.g. 2024-01-02T03:04:05Z)")]
pub struct StampError(String);

impl Stamp {
    /// Pinned by `SECURESCAN_FAKE_NOW` if set, else now.
    pub fn from_env() -> Result<Stamp, StampError> {
        match std::env::var("SECURESCAN_FAKE_NOW") {
            Ok(value) => Stamp::pinned(&value),
            Err(_) => Ok(Stamp::now()),
        }
    }

    pub fn pinned(rfc3339: &str) -> Result<Stamp, StampError> {
        let seconds = parse_rfc3339(rfc3339).ok_or_else(|| StampError(rfc3339.to_string()))?;
        Ok(Stamp {
            created: format_utc(seconds),
            nonce: Vec::new(),
        })
    }

    /// The current time; the id also mixes in the time in nanoseconds and the process id, so
    /// two runs over the same tree still get distinct serial numbers.
    pub fn now() -> Stamp {
        let since_epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let mut nonce = since_epoch.as_nanos().to_le_bytes().to_vec();
        nonce.extend_from_slice(&std::process::id().to_le_bytes());
        Stamp {
            created: format_utc(since_epoch.as_secs() as i64),
            nonce,
        }
    }

    /// A UUID from the sha256 of the content digest, the time and the nonce, with the version
    /// and variant bits of RFC 9562's custom version 8 (the hash is not SHA-1, so not v5).
    pub fn uuid(&self, content: &[u8; 32]) -> String {
        let mut hash = Sha256::new();
        hash.update(content);
        hash.update(self.created.as_bytes());
        hash.update(&self.nonce);
        let digest = hash.finalize();
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        bytes[6] = (bytes[6] & 0x0f) | 0x80;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        uuid_text(&bytes)
    }
}

/// The UTC time `seconds` before now, formatted like [`Stamp::created`] (the server's trend
/// window).
pub fn utc_before_now(seconds: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs() as i64;
    format_utc(now - seconds)
}

/// An RFC 3339 time (any offset) as UTC `YYYY-MM-DDThh:mm:ssZ`, the shape every stored time
/// has, so stored times compare in time order as text.
pub fn normalize_utc(text: &str) -> Option<String> {
    parse_rfc3339(text).map(format_utc)
}

/// The first 16 bytes of `bytes` as hex in the 8-4-4-4-12 shape of a UUID.
pub fn uuid_text(bytes: &[u8]) -> String {
    let hex = hex::encode(&bytes[..16]);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Seconds since the Unix epoch of `YYYY-MM-DDThh:mm:ss[.frac](Z|±hh:mm)`; fractions dropped.
fn parse_rfc3339(text: &str) -> Option<i64> {
    let re = regex::Regex::new(
        r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$",
    )
    .expect("valid regex");
    let caps = re.captures(text)?;
    let num = |i: usize| caps[i].parse::<i64>().ok();
    let (year, month, day) = (num(1)?, num(2)?, num(3)?);
    let (hour, minute, second) = (num(4)?, num(5)?, num(6)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let offset = if caps.get(7).is_some() {
        0
    } else {
        let sign = if &caps[8] == "-" { -1 } else { 1 };
        let (oh, om) = (num(9)?, num(10)?);
        if oh > 23 || om > 59 {
            return None;
        }
        sign * (oh * 3600 + om * 60)
    };
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's `days_from_civil`: days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Seconds since the Unix epoch as UTC `YYYY-MM-DDThh:mm:ssZ`: SPDX requires exactly this
/// shape, and CycloneDX accepts it.
pub fn format_utc(seconds: i64) -> String {
    let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
    let rest = seconds.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_times_are_normalized_to_utc_seconds() {
        for (input, expected) in [
            ("2024-01-02T03:04:05Z", "2024-01-02T03:04:05Z"),
            ("2024-01-02T03:04:05.999+02:00", "2024-01-02T01:04:05Z"),
            ("2024-03-01T00:30:00-01:00", "2024-03-01T01:30:00Z"),
            ("2000-02-29T23:59:59+00:00", "2000-02-29T23:59:59Z"),
            ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"),
        ] {
            assert_eq!(Stamp::pinned(input).unwrap().created, expected, "{input}");
        }
    }

    #[test]
    fn malformed_fake_now_is_refused() {
        for bad in [
            "yesterday",
            "2024-02-30T00:00:00Z",
            "2024-01-02 03:04",
            "2024-01-02T03:04:05",
        ] {
            assert!(Stamp::pinned(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_clock_formats_like_the_pinned_parser_reads() {
        for seconds in [0, 951_868_799, 1_704_164_645, 4_102_444_800] {
            assert_eq!(parse_rfc3339(&format_utc(seconds)), Some(seconds));
        }
    }

    #[test]
    fn pinned_ids_depend_on_content_and_unpinned_ones_are_unique() {
        let pinned = Stamp::pinned("2024-01-02T03:04:05Z").unwrap();
        let id = pinned.uuid(&[1; 32]);
        assert_eq!(id, pinned.uuid(&[1; 32]));
        assert_ne!(id, pinned.uuid(&[2; 32]));
        let shape = regex::Regex::new(
            r"^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
        )
        .unwrap();
        assert!(shape.is_match(&id), "{id}");
        assert_ne!(Stamp::now().uuid(&[1; 32]), Stamp::now().uuid(&[1; 32]));
    }
}
