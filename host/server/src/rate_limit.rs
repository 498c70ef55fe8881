//! A token bucket per caller on the routes that start work (scans) or mint credentials (keys):
//! `burst` requests at once after a quiet spell, then `per_min` a minute. Buckets are keyed by
//! the caller's key id (`env` for the env key, the client address in dev mode), never by the
//! key itself, and memory is bounded: at most [`MAX_BUCKETS`], idle ones dropped after an hour,
//! then the least recently used.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::RateLimit;

pub const MAX_BUCKETS: usize = 10_000;
const IDLE: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// What one request did to its bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decision {
    pub allowed: bool,
    /// `X-RateLimit-Limit`.
    pub limit: u32,
    /// `X-RateLimit-Remaining`: whole requests left now.
    pub remaining: u32,
    /// `X-RateLimit-Reset`: unix time at which the bucket is full again.
    pub reset: u64,
    /// When refused: whole seconds until one request is allowed (at least 1).
    pub retry_after: u64,
}

#[derive(Debug)]
pub struct RateLimiter {
    config: RateLimit,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    pub fn new(config: RateLimit) -> RateLimiter {
        RateLimiter {
            config,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub fn enabled(&self) -> bool {
        self.config.enabled
    }

    fn capacity(&self) -> f64 {
        f64::from(self.config.burst.max(1))
    }

    fn per_second(&self) -> f64 {
        f64::from(self.config.per_min) / 60.0
    }

    /// Take one request from `caller`'s bucket, at `now` (`unix` the same instant on the wall
    /// clock).
    pub fn check(&self, caller: &str, now: Instant, unix: u64) -> Decision {
        let capacity = self.capacity();
        let rate = self.per_second();
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if !buckets.contains_key(caller) && buckets.len() >= MAX_BUCKETS {
            make_room(&mut buckets, now);
        }
        let bucket = buckets.entry(caller.to_string()).or_insert(Bucket {
            tokens: capacity,
            last: now,
        });
        let elapsed = now.saturating_duration_since(bucket.last).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(capacity);
        bucket.last = now;
        let allowed = bucket.tokens >= 1.0;
        if allowed {
            bucket.tokens -= 1.0;
        }
        let seconds = |tokens: f64| (tokens / rate).ceil().max(0.0) as u64;
        Decision {
            allowed,
            limit: self.config.per_min,
            remaining: bucket.tokens.floor() as u32,
            reset: unix + seconds(capacity - bucket.tokens),
            retry_after: if allowed {
                0
            } else {
                seconds(1.0 - bucket.tokens).max(1)
            },
        }
    }

    pub fn len(&self) -> usize {
        self.buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Drop the buckets idle for an hour (they would be full again anyway); if none are, the least
/// recently used one.
fn make_room(buckets: &mut HashMap<String, Bucket>, now: Instant) {
    buckets.retain(|_, bucket| now.saturating_duration_since(bucket.last) < IDLE);
    if buckets.len() >= MAX_BUCKETS
        && let Some(oldest) = buckets
            .iter()
            .min_by_key(|(_, bucket)| bucket.last)
            .map(|(caller, _)| caller.clone())
    {
        buckets.remove(&oldest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(per_min: u32, burst: u32) -> RateLimiter {
        RateLimiter::new(RateLimit {
            enabled: true,
            per_min,
            burst,
        })
    }

    #[test]
    fn a_quiet_caller_gets_the_burst_then_the_sustained_rate() {
        let limiter = limiter(60, 10);
        let start = Instant::now();
        for n in 0..10 {
            let decision = limiter.check("k", start, 1_000);
            assert!(decision.allowed, "request {n}");
            assert_eq!(decision.remaining, 9 - n);
        }
        let refused = limiter.check("k", start, 1_000);
        assert!(!refused.allowed);
        assert_eq!(refused.retry_after, 1);
        assert_eq!(
            refused.reset, 1_010,
            "full again after ten seconds at one a second"
        );
        // One second later, one more.
        assert!(
            limiter
                .check("k", start + Duration::from_secs(1), 1_001)
                .allowed
        );
        assert!(
            !limiter
                .check("k", start + Duration::from_secs(1), 1_001)
                .allowed
        );
        // Another caller is not affected.
        assert!(limiter.check("other", start, 1_000).allowed);
    }

    #[test]
    fn retry_after_is_the_time_to_the_next_request() {
        let limiter = limiter(6, 1);
        let start = Instant::now();
        assert!(limiter.check("k", start, 0).allowed);
        assert_eq!(limiter.check("k", start, 0).retry_after, 10);
    }

    #[test]
    fn memory_is_bounded_by_the_bucket_cap() {
        let limiter = limiter(60, 10);
        let start = Instant::now();
        for n in 0..(MAX_BUCKETS + 500) {
            limiter.check(
                &format!("caller-{n}"),
                start + Duration::from_millis(n as u64),
                0,
            );
        }
        assert_eq!(limiter.len(), MAX_BUCKETS);
        // Idle buckets go first when room is needed.
        let later = start + IDLE + Duration::from_secs(3600);
        limiter.check("late", later, 0);
        assert_eq!(limiter.len(), 1);
    }
}
