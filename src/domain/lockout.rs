//! Per-account login throttling: after `max_failures` consecutive failures the account is
//! locked for `base`, and each further failure doubles the lock, up to `max`.

#[derive(Debug, Clone, Copy)]
pub struct LockoutPolicy {
    pub max_failures: u32,
    pub base_seconds: u32,
    pub max_seconds: u32,
}

impl LockoutPolicy {
    /// How long to lock after the `failures`-th consecutive failure (None: not locked).
    pub fn lock_seconds(&self, failures: u32) -> Option<u32> {
        if failures < self.max_failures {
            return None;
        }
        let doublings = (failures - self.max_failures).min(31);
        let seconds = u64::from(self.base_seconds) << doublings;
        Some(seconds.min(u64::from(self.max_seconds)) as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_grows_exponentially_and_is_capped() {
        let policy = LockoutPolicy {
            max_failures: 5,
            base_seconds: 30,
            max_seconds: 3600,
        };
        assert_eq!(policy.lock_seconds(4), None);
        assert_eq!(policy.lock_seconds(5), Some(30));
        assert_eq!(policy.lock_seconds(6), Some(60));
        assert_eq!(policy.lock_seconds(7), Some(120));
        assert_eq!(policy.lock_seconds(12), Some(3600));
        assert_eq!(policy.lock_seconds(u32::MAX), Some(3600));
    }
}
