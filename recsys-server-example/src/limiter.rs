//! Login rate limiting: failed attempts per account and per address in a sliding window.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::{AppError, AppResult};

/// Failed login attempts per key (`user:NAME`, `addr:IP`) in a sliding window.
#[derive(Debug)]
pub struct LoginLimiter {
    window: Duration,
    per_account: usize,
    per_address: usize,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Default for LoginLimiter {
    /// 5 failures per account and 20 per address in 15 minutes.
    fn default() -> Self {
        Self::new(Duration::from_secs(15 * 60), 5, 20)
    }
}

impl LoginLimiter {
    /// A limiter allowing `per_account` / `per_address` failures per `window`.
    pub fn new(window: Duration, per_account: usize, per_address: usize) -> Self {
        Self {
            window,
            per_account,
            per_address,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(429)` when the account or the address has used up its failures.
    ///
    /// # Errors
    /// [`AppError::TooManyRequests`] with the seconds until the oldest failure expires.
    pub fn check(&self, username: &str, address: &str) -> AppResult<()> {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        for (key, limit) in [
            (
                format!("user:{}", username.to_lowercase()),
                self.per_account,
            ),
            (format!("addr:{address}"), self.per_address),
        ] {
            if let Some(times) = failures.get_mut(&key) {
                times.retain(|t| now.duration_since(*t) < self.window);
                if times.len() >= limit {
                    let oldest = times.first().copied().unwrap_or(now);
                    let wait = self.window.saturating_sub(now.duration_since(oldest));
                    return Err(AppError::TooManyRequests {
                        retry_after: wait.as_secs().max(1),
                    });
                }
            }
        }
        Ok(())
    }

    /// Records a failed attempt.
    pub fn fail(&self, username: &str, address: &str) {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if failures.len() > 100_000 {
            // Bounded memory: forget expired entries when the map grows large.
            failures.retain(|_, times| times.iter().any(|t| now.duration_since(*t) < self.window));
        }
        for key in [
            format!("user:{}", username.to_lowercase()),
            format!("addr:{address}"),
        ] {
            failures.entry(key).or_default().push(now);
        }
    }

    /// Forgets an account's failures after a successful login.
    pub fn succeed(&self, username: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.remove(&format!("user:{}", username.to_lowercase()));
    }
}
