import COpenSSL
import Foundation

/// SHA-256, HMAC-SHA256 and lower-case hex for SigV4, computed with libcrypto's EVP interfaces.
///
/// The SHA-256 digest and the HMAC algorithm are fetched from the default provider once per process, and each
/// thread keeps one digest context and one MAC context that it re-initializes per use: allocating contexts and
/// re-fetching algorithms by name on every call cost more than the hashing of a request (OpenSSL 3's performance
/// notes advise explicit fetches for the same reason).
public enum Crypto {
    /// The length of a SHA-256 digest and of an HMAC-SHA256 tag, in bytes.
    public static let digestLength = 32

    /// The SHA-256 digest of `bytes`.
    public static func sha256(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        let context = ThreadContexts.current.digest
        return [UInt8](unsafeUninitializedCapacity: digestLength) { out, count in
            var length: UInt32 = 0
            guard EVP_DigestInit_ex(context, Algorithms.shared.sha256, nil) == 1,
                EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) == 1,
                EVP_DigestFinal_ex(context, out.baseAddress, &length) == 1, Int(length) == digestLength
            else { Algorithms.fail("SHA-256") }
            count = digestLength
        }
    }

    /// The SHA-256 digest of `bytes`.
    public static func sha256(_ bytes: some ContiguousBytes) -> [UInt8] {
        bytes.withUnsafeBytes { sha256($0) }
    }

    /// The SHA-256 digest of `string`'s UTF-8 bytes.
    public static func sha256(_ string: String) -> [UInt8] {
        var string = string
        return string.withUTF8 { sha256(UnsafeRawBufferPointer($0)) }
    }

    /// The HMAC-SHA256 tag of `message` under `key`.
    public static func hmacSHA256(key: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer) -> [UInt8] {
        let contexts = ThreadContexts.current
        return [UInt8](unsafeUninitializedCapacity: digestLength) { out, count in
            var length = 0
            guard contexts.initializeMAC(key: key),
                EVP_MAC_update(contexts.mac, message.bindMemory(to: UInt8.self).baseAddress, message.count) == 1,
                EVP_MAC_final(contexts.mac, out.baseAddress, &length, digestLength) == 1, length == digestLength
            else { Algorithms.fail("HMAC-SHA256") }
            count = digestLength
        }
    }

    /// The HMAC-SHA256 tag of `message`'s UTF-8 bytes under `key`.
    public static func hmacSHA256(key: some ContiguousBytes, message: String) -> [UInt8] {
        var message = message
        return key.withUnsafeBytes { key in
            message.withUTF8 { hmacSHA256(key: key, message: UnsafeRawBufferPointer($0)) }
        }
    }

    /// `bytes` as lower-case hexadecimal, two characters per byte.
    public static func hex(_ bytes: some Collection<UInt8>) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            var index = 0
            for byte in bytes {
                out[index] = hexDigits[Int(byte >> 4)]
                out[index + 1] = hexDigits[Int(byte & 0x0F)]
                index += 2
            }
            return index
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}

/// The algorithm objects fetched once from libcrypto's default provider; they are immutable and thread-safe to share.
private final class Algorithms: @unchecked Sendable {
    static let shared = Algorithms()

    /// The `OSSL_PARAM` list that selects SHA-256 as HMAC's digest; it points at process-lifetime C strings.
    let digestParameters: [OSSL_PARAM]
    let sha256: OpaquePointer
    let hmac: OpaquePointer

    private init() {
        guard let sha256 = EVP_MD_fetch(nil, "SHA256", nil) else { Algorithms.fail("fetching SHA-256") }
        guard let hmac = EVP_MAC_fetch(nil, "HMAC", nil) else { Algorithms.fail("fetching HMAC") }
        self.sha256 = sha256
        self.hmac = hmac
        let name = Algorithms.makeCString("SHA256")
        digestParameters = [
            OSSL_PARAM(
                key: Algorithms.makeCString("digest"), data_type: UInt32(OSSL_PARAM_UTF8_STRING),
                data: UnsafeMutableRawPointer(mutating: name), data_size: strlen(name), return_size: 0),
            OSSL_PARAM(key: nil, data_type: 0, data: nil, data_size: 0, return_size: 0),
        ]
    }

    /// A process-lifetime C string (the parameter list above points into it).
    private static func makeCString(_ string: String) -> UnsafePointer<CChar> {
        UnsafePointer(strdup(string)!)
    }

    /// libcrypto failing to hash in memory means a broken installation; signing cannot continue safely.
    static func fail(_ operation: String) -> Never {
        fatalError("libcrypto failed at \(operation): the OpenSSL installation is broken; reinstall libssl3.")
    }
}

/// One digest context and one HMAC context per thread, freed when the thread exits; never shared between threads.
private final class ThreadContexts {
    let digest: OpaquePointer
    let mac: OpaquePointer
    private var macHasDigest = false

    private init() {
        guard let digest = EVP_MD_CTX_new(), let mac = EVP_MAC_CTX_new(Algorithms.shared.hmac) else {
            Algorithms.fail("allocating a context")
        }
        self.digest = digest
        self.mac = mac
    }

    deinit {
        EVP_MD_CTX_free(digest)
        EVP_MAC_CTX_free(mac)
    }

    /// Starts a new HMAC under `key`; the digest parameter is given once, later inits keep it.
    func initializeMAC(key: UnsafeRawBufferPointer) -> Bool {
        let keyBytes = key.bindMemory(to: UInt8.self).baseAddress
        if macHasDigest { return EVP_MAC_init(mac, keyBytes, key.count, nil) == 1 }
        macHasDigest = Algorithms.shared.digestParameters.withUnsafeBufferPointer {
            EVP_MAC_init(mac, keyBytes, key.count, $0.baseAddress) == 1
        }
        return macHasDigest
    }

    /// The calling thread's contexts, created on first use.
    static var current: ThreadContexts {
        if let existing = pthread_getspecific(threadKey) {
            return Unmanaged<ThreadContexts>.fromOpaque(existing).takeUnretainedValue()
        }
        let contexts = ThreadContexts()
        pthread_setspecific(threadKey, Unmanaged.passRetained(contexts).toOpaque())
        return contexts
    }

    /// The thread-exit destructor (its pointer argument is optional on Glibc, not on Darwin).
    private static func release(_ pointer: UnsafeMutableRawPointer?) {
        guard let pointer else { return }
        Unmanaged<ThreadContexts>.fromOpaque(pointer).release()
    }

    private static let threadKey: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { ThreadContexts.release($0) }
        guard status == 0 else { Algorithms.fail("creating a thread-local key") }
        return key
    }()
}
