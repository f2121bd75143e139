//! The API's per-client rate limit: a burst of N requests, then one every 60/N seconds, per client address
//! (governor's GCRA), answered 429 with `Retry-After` beyond it.
//!
//! The client is the peer address of the connection. Behind a reverse proxy that is the proxy's, so the limit is
//! then the proxy's share: set it there, or raise `--rate-limit`.

use std::net::{IpAddr, Ipv4Addr};
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

pub struct ClientLimit {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl ClientLimit {
    /// `requests` per minute for each client, all of them at once if it likes.
    pub fn per_minute(requests: NonZeroU32) -> Self {
        Self {
            limiter: RateLimiter::keyed(Quota::per_minute(requests)),
        }
    }

    /// `Ok` if the client may make a request now, else how long until it may. An unknown client (no peer address,
    /// as in a test without a socket) counts as one client.
    pub fn check(&self, client: Option<IpAddr>) -> Result<(), Duration> {
        let client = client.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        self.limiter
            .check_key(&client)
            .map_err(|not_until| not_until.wait_time_from(self.limiter.clock().now()))
    }

    /// Forgets the clients whose allowance is full again, which need no state.
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_gets_its_burst_then_waits_and_others_are_not_held_up() {
        let limit = ClientLimit::per_minute(NonZeroU32::new(2).expect("non-zero"));
        let ann = Some(IpAddr::from([10, 0, 0, 1]));
        let bob = Some(IpAddr::from([10, 0, 0, 2]));
        assert!(limit.check(ann).is_ok());
        assert!(limit.check(ann).is_ok());
        let wait = limit.check(ann).expect_err("over the limit");
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(30), "{wait:?}");
        assert!(limit.check(bob).is_ok());
    }
}
