import Foundation
import Synchronization

/// A bounded, thread-safe cache of SigV4 signing keys, so that the four-HMAC derivation runs once per access key,
/// UTC day, region and service rather than once per request (as aws-sdk-go-v2's `v4/internal/cache.go` does).
///
/// Entries are keyed by the access key id, a SHA-256 digest of the secret key (never the secret itself, so a rotated
/// secret under the same key id cannot reuse a stale key), the UTC day, the region and the service. When the cache is
/// full the oldest entry goes first; a day's keys stop being asked for at midnight UTC and age out that way.
public final class SigningKeyCache: Sendable {
    /// The most entries kept at once.
    public let capacity: Int
    private let state: Mutex<State>

    /// Creates an empty cache holding at most `capacity` signing keys (at least one).
    public init(capacity: Int = 64) {
        self.capacity = max(1, capacity)
        state = Mutex(State())
    }

    /// The number of signing keys held now.
    public var count: Int { state.withLock { $0.keys.count } }

    /// The signing key for `credentials` on `day` (`yyyyMMdd`, UTC) in `region` for `service`, derived on a miss.
    public func signingKey(credentials: AWSCredentials, day: String, region: String, service: String) -> [UInt8] {
        let entry = Entry(
            accessKeyId: credentials.accessKeyId,
            secretDigest: Digest(Crypto.sha256(credentials.secretAccessKey)), day: day, region: region,
            service: service)
        if let key = state.withLock({ $0.keys[entry] }) { return key }
        let key = SigV4Signer.signingKey(
            secretAccessKey: credentials.secretAccessKey, day: day, region: region,
            service: service)
        state.withLock { state in
            guard state.keys.updateValue(key, forKey: entry) == nil else { return }
            state.order.append(entry)
            if state.order.count > capacity { state.keys[state.order.removeFirst()] = nil }
        }
        return key
    }

    private struct Entry: Hashable {
        var accessKeyId: String
        var secretDigest: Digest
        var day: String
        var region: String
        var service: String
    }

    /// A SHA-256 digest as four words: hashed and compared in four steps rather than 32.
    private struct Digest: Hashable {
        var words: SIMD4<UInt64>

        init(_ bytes: [UInt8]) {
            words = bytes.withUnsafeBytes { raw in
                SIMD4((0..<4).map { raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self) })
            }
        }
    }

    private struct State {
        var keys: [Entry: [UInt8]] = [:]
        /// Insertion order, oldest first, for eviction.
        var order: [Entry] = []
    }
}
