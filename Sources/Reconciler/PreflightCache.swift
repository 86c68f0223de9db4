import Foundation
import Synchronization

/// The S3 backup preflight's verdicts per backup location (bucket and prefix), so the specs restoring one backup
/// read S3 once rather than once each. A verdict serves a spec when it was read after the spec's current generation
/// (or restore request) was stored and is younger than `maxAge`. Failed verdicts are never kept: the spec's retry
/// reads S3 again, so a backup the operator fixes heals at the next resync without a resubmit. One location is read
/// by one caller at a time: callers arriving while it is read wait and take its verdict (two workers starting specs of
/// one backup at once read it twice before); a location's lock lives only while a caller holds or awaits it.
final class PreflightCache: Sendable {
    private struct Entry {
        var verdict: BackupPreflight
        var readAt: Date
    }

    private let entries = Mutex<[String: Entry]>([:])
    /// One lock per location being read, held while it is read, with how many callers hold or await it.
    private let reading = Mutex<[String: (lock: NSLock, callers: Int)]>([:])
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
        if let kept = kept(key, validAfter: validAfter, now: now) { return kept }
        let lock = reading.withLock { locks in
            let entry = locks[key] ?? (NSLock(), 0)
            locks[key] = (entry.lock, entry.callers + 1)
            return entry.lock
        }
        lock.lock()
        defer {
            lock.unlock()
            reading.withLock { locks in
                guard let entry = locks[key] else { return }
                locks[key] = entry.callers > 1 ? (entry.lock, entry.callers - 1) : nil
            }
        }
        // Read by the caller this one waited for: its verdict serves.
        if let kept = kept(key, validAfter: validAfter, now: now) { return kept }
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

    /// How many locations have a lock (callers reading or waiting for them).
    var locationsBeingRead: Int { reading.withLock { $0.count } }

    /// The kept verdict on `key` when read after `validAfter` and younger than `maxAge` at `now`.
    private func kept(_ key: String, validAfter: Date, now: Date) -> BackupPreflight? {
        guard let kept = entries.withLock({ $0[key] }), kept.readAt > validAfter,
            now.timeIntervalSince(kept.readAt) < maxAge
        else { return nil }
        return kept.verdict
    }
}
