//! File descriptors: every open connection holds one, and so do the
//! database, the mail connections and the operator socket. The soft limit
//! is often 1024 while the hard limit is far higher, so at start the soft
//! limit is raised to the hard one; the connections admitted at once are
//! then kept `RESERVED` below it, so the server answers 503 itself before
//! accepting would fail (a failing accept leaves new clients hanging in the
//! listen queue, real ones with the rest).

/// Descriptors kept for everything that is not an admitted HTTP
/// connection: the database, the listeners, up to 64 SMTP connections,
/// operator socket connections, the runtime's own, and `REFUSING`.
pub const RESERVED: u64 = 256;

/// Of `RESERVED`, the connections accepted but not yet answered 503 and
/// closed. A worker busy with other connections closes its refused ones
/// late; without a bound, the acceptor outruns it and accepting fails.
pub const REFUSING: usize = 128;

/// Raises the soft `RLIMIT_NOFILE` to the hard limit and returns the limit
/// now in force (logged with the hard one).
#[cfg(unix)]
pub fn raise_limit() -> u64 {
    // SAFETY: getrlimit/setrlimit only read and write the struct passed.
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        tracing::warn!("cannot read the open-file limit; assuming 1024");
        return 1024;
    }
    let before = limit.rlim_cur;
    if limit.rlim_cur < limit.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: limit.rlim_max,
            rlim_max: limit.rlim_max,
        };
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            limit.rlim_cur = limit.rlim_max;
        }
    }
    let (soft, hard) = (as_u64(limit.rlim_cur), as_u64(limit.rlim_max));
    tracing::info!(
        soft,
        hard,
        was = as_u64(before),
        "open-file limit (soft raised to hard)"
    );
    soft
}

#[cfg(not(unix))]
pub fn raise_limit() -> u64 {
    u64::MAX
}

/// `RLIM_INFINITY` and anything past u64 read as "no limit".
#[cfg(unix)]
fn as_u64(value: libc::rlim_t) -> u64 {
    #[allow(clippy::useless_conversion)]
    u64::try_from(value).unwrap_or(u64::MAX)
}

/// HTTP connections admitted at once under a descriptor limit of `limit`.
pub fn connection_limit(limit: u64) -> usize {
    let open = limit.saturating_sub(RESERVED).max(1);
    usize::try_from(open).unwrap_or(usize::MAX)
}

/// Connections one of `workers` holds at once, admitted or being refused:
/// actix stops accepting while every worker is at this, so the listen
/// queue, not the descriptor table, holds the excess.
pub fn per_worker(admitted: usize, workers: usize) -> usize {
    admitted.saturating_add(REFUSING).div_ceil(workers.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_stay_below_the_limit_by_the_reserve() {
        assert_eq!(connection_limit(1024), 768);
        assert_eq!(connection_limit(100), 1);
        assert!(connection_limit(u64::MAX) > 1_000_000);
    }

    #[test]
    fn the_workers_together_hold_the_admitted_and_the_refusing() {
        assert_eq!(per_worker(256, 2), 192);
        assert_eq!(per_worker(256, 3), 128);
        assert!(per_worker(256, 3) * 3 <= 256 + REFUSING + 3);
        assert_eq!(per_worker(usize::MAX, 0), usize::MAX);
    }
}
