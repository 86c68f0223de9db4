import Foundation
import Synchronization

/// The S3 backup preflight's verdicts per backup location (bucket and prefix), so the specs restoring one backup
/// read S3 once rather than once each. A verdict serves a spec when it was read after the spec's current generation
/// (or restore request) was stored and is younger than `maxAge`. Failed verdicts are never kept: the spec's retry
/// reads S3 again, so a backup the operator fixes heals at the next resync without a resubmit.
final class PreflightCache: Sendable {
    private struct Entry {
        var verdict: BackupPreflight
        var readAt: Date
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let maxAge: TimeInterval

    /// A cache whose verdicts serve for at most `maxAge`.
    init(maxAge: Duration) {
        self.maxAge = maxAge / .seconds(1)
    }

    /// The verdict on the backup under `prefix` of `bucket`: a kept one read after `validAfter`, else `read`'s
    /// (kept unless it failed). `now` is when the caller started reading.
    func verdict(
        bucket: String, prefix: String?, validAfter: Date, now: Date,
        read: () throws(ObservationError) -> BackupPreflight
    ) throws(ObservationError) -> BackupPreflight {
        let key = bucket + "/" + (prefix ?? "")
        if let kept = entries.withLock({ $0[key] }), kept.readAt > validAfter,
            now.timeIntervalSince(kept.readAt) < maxAge
        {
            return kept.verdict
        }
        let verdict = try read()
        entries.withLock { entries in
            if case .failed = verdict.verdict {
                entries[key] = nil
            } else {
                entries[key] = Entry(verdict: verdict, readAt: now)
            }
            // Bounded: entries past their age serve no one, so they go whenever one is written.
            entries = entries.filter { now.timeIntervalSince($0.value.readAt) < maxAge }
        }
        return verdict
    }
}
