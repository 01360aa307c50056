//! Time as the records keep it: milliseconds since the Unix epoch, UTC.

use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch, UTC.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// `YYYY-MM-DD HH:MM UTC`, computed without a date library (keeps the WASM small).
    pub fn display(self) -> String {
        let secs = self.0.div_euclid(1000);
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        format!(
            "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
            rem / 3600,
            (rem % 3600) / 60
        )
    }
}

/// The time now (server only: the WASM has no clock the records trust).
#[cfg(feature = "ssr")]
pub fn now() -> Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default();
    Timestamp(ms)
}

/// Days since the Unix epoch of a civil date (Howard Hinnant's days_from_civil).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The times in a text as `display` writes them: for each, where it ends (a byte index)
/// and the time. The browser adds the reader's own time after each (`local_label`).
pub fn displayed_times(text: &str) -> Vec<(usize, Timestamp)> {
    const LEN: usize = "2026-12-03 05:46 UTC".len();
    let b = text.as_bytes();
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    let num = |s: &[u8]| s.iter().fold(0i64, |n, c| n * 10 + i64::from(c - b'0'));
    let mut found = Vec::new();
    let mut i = 0;
    while i + LEN <= b.len() {
        let s = &b[i..i + LEN];
        let shaped = digits(&s[0..4])
            && s[4] == b'-'
            && digits(&s[5..7])
            && s[7] == b'-'
            && digits(&s[8..10])
            && s[10] == b' '
            && digits(&s[11..13])
            && s[13] == b':'
            && digits(&s[14..16])
            && &s[16..] == b" UTC";
        if shaped {
            let (m, d) = (num(&s[5..7]), num(&s[8..10]));
            let (h, min) = (num(&s[11..13]), num(&s[14..16]));
            if (1..=12).contains(&m) && (1..=31).contains(&d) && h < 24 && min < 60 {
                let days = days_from_civil(num(&s[0..4]), m, d);
                found.push((
                    i + LEN,
                    Timestamp((days * 86_400 + h * 3600 + min * 60) * 1000),
                ));
                i += LEN;
                continue;
            }
        }
        i += 1;
    }
    found
}

/// The reader's own time of `at`, said after the UTC one: " (06:46 your time)", with the date
/// when it is another day there; nothing where the reader's zone is UTC. `offset_minutes` is
/// what the browser's `Date.getTimezoneOffset()` gives at that instant (UTC − local).
pub fn local_label(at: Timestamp, offset_minutes: i64) -> Option<String> {
    if offset_minutes == 0 {
        return None;
    }
    let utc = at.display();
    let local = Timestamp(at.0 - offset_minutes * 60_000).display();
    let local = local.trim_end_matches(" UTC");
    let shown = if local[..10] == utc[..10] {
        &local[11..]
    } else {
        local
    };
    Some(format!(" ({shown} your time)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displayed_times_read_back_what_display_wrote() {
        for ms in [0, 951_782_400_000, 1_795_000_000_000, 1_764_740_760_000] {
            let at = Timestamp(ms - ms % 60_000);
            let text = format!("Removed by Microsoft {}.", at.display());
            assert_eq!(
                displayed_times(&text),
                vec![("Removed by Microsoft ".len() + 20, at)]
            );
        }
        let two = "2026-12-03 05:46 UTC and 2026-12-04 00:01 UTC";
        assert_eq!(displayed_times(two).len(), 2);
        for not_a_time in [
            "2026-13-03 05:46 UTC",
            "2026-12-03 25:46 UTC",
            "2026-12-03 05:46 GMT",
            "12-03 05:46 UTC",
            "é2026-12-03 05:4 UTC",
        ] {
            assert!(displayed_times(not_a_time).is_empty(), "{not_a_time}");
        }
    }

    #[test]
    fn the_readers_time_follows_with_the_date_only_when_it_differs() {
        let at = displayed_times("2026-12-03 05:46 UTC")[0].1;
        assert_eq!(local_label(at, 0), None);
        assert_eq!(local_label(at, -60).as_deref(), Some(" (06:46 your time)"));
        assert_eq!(local_label(at, 300).as_deref(), Some(" (00:46 your time)"));
        assert_eq!(
            local_label(at, 420).as_deref(),
            Some(" (2026-12-02 22:46 your time)")
        );
        assert_eq!(local_label(at, -330).as_deref(), Some(" (11:16 your time)"));
    }
}
