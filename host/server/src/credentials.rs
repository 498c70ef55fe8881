//! The secrets the server hands out and checks: API keys (`ssk_<id>_<secret>`, stored as a salted
//! SHA-256) and SSE event tokens (HMAC-signed, bound to one scan and one key, five minutes).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

const KEY_PREFIX: &str = "ssk_";
const ID_LEN: usize = 10;
/// 24 random bytes: 32 base64url characters, 192 bits.
const SECRET_BYTES: usize = 24;
const SALT_BYTES: usize = 16;
/// How long an event token is honoured, in seconds.
pub const EVENT_TOKEN_TTL: u64 = 300;
const ID_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

#[derive(Debug, thiserror::Error)]
#[error("the operating system's random source failed: {0}")]
pub struct RandomError(String);

fn random(bytes: &mut [u8]) -> Result<(), RandomError> {
    getrandom::fill(bytes).map_err(|err| RandomError(err.to_string()))
}

/// `bytes` random bytes as unpadded base64url: session ids and CSRF tokens.
pub fn random_token(bytes: usize) -> Result<String, RandomError> {
    let mut buffer = vec![0u8; bytes];
    random(&mut buffer)?;
    Ok(URL_SAFE_NO_PAD.encode(buffer))
}

/// A freshly drawn key: the plaintext (shown once) and what is stored instead of it.
#[derive(Debug)]
pub struct IssuedKey {
    pub id: String,
    pub plaintext: crate::config::Secret,
    pub prefix: String,
    pub hash: String,
}

/// A new key with a new random id.
pub fn issue_key() -> Result<IssuedKey, RandomError> {
    let mut id = String::with_capacity(ID_LEN);
    let mut pool = [0u8; 32];
    while id.len() < ID_LEN {
        random(&mut pool)?;
        // Rejection sampling keeps the 62 characters equally likely.
        for byte in pool {
            if usize::from(byte) < ID_ALPHABET.len() * 4 && id.len() < ID_LEN {
                id.push(char::from(
                    ID_ALPHABET[usize::from(byte) % ID_ALPHABET.len()],
                ));
            }
        }
    }
    reissue_key(&id)
}

/// A new secret for the key `id` (rotation keeps the id).
pub fn reissue_key(id: &str) -> Result<IssuedKey, RandomError> {
    let mut secret = [0u8; SECRET_BYTES];
    random(&mut secret)?;
    let secret = URL_SAFE_NO_PAD.encode(secret);
    let plaintext = format!("{KEY_PREFIX}{id}_{secret}");
    let mut salt = [0u8; SALT_BYTES];
    random(&mut salt)?;
    Ok(IssuedKey {
        id: id.to_string(),
        prefix: plaintext[..KEY_PREFIX.len() + ID_LEN + 2].to_string(),
        hash: format!("{}${}", hex::encode(salt), salted_digest(&salt, &plaintext)),
        plaintext: crate::config::Secret::new(plaintext),
    })
}

fn salted_digest(salt: &[u8], key: &str) -> String {
    let mut digest = Sha256::new();
    digest.update(salt);
    digest.update(key.as_bytes());
    hex::encode(digest.finalize())
}

/// The id of a presented `ssk_<id>_<secret>` key, without touching the store; `None` for
/// anything not shaped like one.
pub fn key_id(presented: &str) -> Option<&str> {
    let (id, secret) = presented.strip_prefix(KEY_PREFIX)?.split_once('_')?;
    (is_key_id(id) && !secret.is_empty()).then_some(id)
}

/// Ten ASCII letters and digits: the shape of every key id.
pub fn is_key_id(id: &str) -> bool {
    id.len() == ID_LEN && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Whether `presented` is the key `stored` (`<salt-hex>$<sha256-hex>`) was made from; a
/// malformed stored value matches nothing.
pub fn key_matches(presented: &str, stored: &str) -> bool {
    let Some((salt, digest)) = stored.split_once('$') else {
        return false;
    };
    let Ok(salt) = hex::decode(salt) else {
        return false;
    };
    constant_time_eq(
        salted_digest(&salt, presented).as_bytes(),
        digest.as_bytes(),
    )
}

/// Compares SHA-256 digests of both, so the time taken says nothing about how much matched,
/// nor about the length of either.
pub fn same_secret(presented: &str, expected: &str) -> bool {
    constant_time_eq(
        &Sha256::digest(presented.as_bytes()),
        &Sha256::digest(expected.as_bytes()),
    )
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Signs and checks event tokens: `base64url("<scan_id>|<key_id>|<expires_at>|<sig>")`, where
/// `sig` is the unpadded base64url HMAC-SHA256 of the first three fields.
#[derive(Clone)]
pub struct EventTokens {
    secret: Vec<u8>,
}

impl std::fmt::Debug for EventTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EventTokens(redacted)")
    }
}

/// What a valid token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventClaim {
    pub scan_id: String,
    pub key_id: String,
    pub expires_at: u64,
}

impl EventTokens {
    /// Over the configured secret, else a random one that lives as long as this process.
    pub fn new(secret: Option<&str>) -> Result<EventTokens, RandomError> {
        let secret = match secret {
            Some(secret) => secret.as_bytes().to_vec(),
            None => {
                let mut bytes = vec![0u8; 32];
                random(&mut bytes)?;
                bytes
            }
        };
        Ok(EventTokens { secret })
    }

    fn signature(&self, body: &str) -> Hmac<Sha256> {
        // HMAC takes keys of any length.
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        mac.update(body.as_bytes());
        mac
    }

    pub fn mint(&self, scan_id: &str, key_id: &str, now: u64) -> String {
        let body = format!("{scan_id}|{key_id}|{}", now + EVENT_TOKEN_TTL);
        let sig = URL_SAFE_NO_PAD.encode(self.signature(&body).finalize().into_bytes());
        URL_SAFE_NO_PAD.encode(format!("{body}|{sig}"))
    }

    /// The claim of a token that is well formed, signed with this secret and not expired at
    /// `now`.
    pub fn verify(&self, token: &str, now: u64) -> Option<EventClaim> {
        let decoded = URL_SAFE_NO_PAD.decode(token.trim()).ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (body, sig) = text.rsplit_once('|')?;
        let mut fields = body.splitn(3, '|');
        let (scan_id, key_id, expires) = (fields.next()?, fields.next()?, fields.next()?);
        // Digits only: the signed text and the parsed number must be the same thing.
        if expires.is_empty()
            || !expires.bytes().all(|b| b.is_ascii_digit())
            || key_id.contains('|')
        {
            return None;
        }
        let sig = URL_SAFE_NO_PAD.decode(sig).ok()?;
        self.signature(body).verify_slice(&sig).ok()?;
        let expires_at: u64 = expires.parse().ok()?;
        (expires_at >= now).then(|| EventClaim {
            scan_id: scan_id.to_string(),
            key_id: key_id.to_string(),
            expires_at,
        })
    }
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_issued_key_has_the_documented_shape_and_matches_only_itself() {
        let key = issue_key().expect("key");
        let text = key.plaintext.expose();
        assert_eq!(text.len(), 4 + 10 + 1 + 32, "{text}");
        assert_eq!(key_id(text), Some(key.id.as_str()));
        assert!(key.prefix.starts_with("ssk_") && text.starts_with(&key.prefix));
        assert_eq!(key.prefix.len(), 16);
        assert!(key_matches(text, &key.hash));
        assert!(!key_matches(&format!("{text}x"), &key.hash));
        assert!(!key_matches(text, "nonsense"));
        let rotated = reissue_key(&key.id).expect("key");
        assert!(!key_matches(text, &rotated.hash));
        assert_eq!(key_id(rotated.plaintext.expose()), Some(key.id.as_str()));
    }

    #[test]
    fn malformed_keys_have_no_id() {
        for bad in [
            "nope",
            "ssk_",
            "ssk_short_x",
            "ssk_abcdefghij_",
            "ssk_abc-efghij_x",
        ] {
            assert_eq!(key_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn only_the_exact_secret_passes() {
        assert!(same_secret("k-123", "k-123"));
        assert!(!same_secret("k-12", "k-123"));
        assert!(!same_secret("", "k-123"));
    }

    #[test]
    fn event_tokens_are_bound_signed_and_expire() {
        let tokens = EventTokens::new(Some("s3cret")).expect("tokens");
        let token = tokens.mint("scan-a", "5a7c8f9eab", 1_000);
        let claim = tokens
            .verify(&token, 1_300)
            .expect("valid at its last second");
        assert_eq!(claim.scan_id, "scan-a");
        assert_eq!(claim.key_id, "5a7c8f9eab");
        assert_eq!(tokens.verify(&token, 1_301), None, "expired");
        let other = EventTokens::new(Some("other")).expect("tokens");
        assert_eq!(other.verify(&token, 1_000), None, "another secret");
        assert_eq!(tokens.verify("garbage", 1_000), None);
        // Changing any field breaks the signature.
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(&token).expect("b64")).expect("utf8");
        let forged = URL_SAFE_NO_PAD.encode(text.replace("scan-a", "scan-b"));
        assert_eq!(tokens.verify(&forged, 1_000), None);
        let plus = URL_SAFE_NO_PAD.encode(text.replace("|1300|", "|+1300|"));
        assert_eq!(tokens.verify(&plus, 1_000), None);
    }
}
