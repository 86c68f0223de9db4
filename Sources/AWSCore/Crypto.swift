import COpenSSL
import Foundation

/// SHA-256, HMAC-SHA256 and lower-case hex for SigV4, computed with libcrypto's EVP interfaces.
///
/// The SHA-256 digest and the HMAC algorithm are fetched from the default provider once per process: OpenSSL 3's
/// implicit fetch on every call would cost a provider lookup per digest (OpenSSL's own performance advice).
public enum Crypto {
    /// The length of a SHA-256 digest and of an HMAC-SHA256 tag, in bytes.
    public static let digestLength = 32

    /// The SHA-256 digest of `bytes`.
    public static func sha256(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: digestLength) { out, count in
            let context = EVP_MD_CTX_new()
            defer { EVP_MD_CTX_free(context) }
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
        [UInt8](unsafeUninitializedCapacity: digestLength) { out, count in
            let context = EVP_MAC_CTX_new(Algorithms.shared.hmac)
            defer { EVP_MAC_CTX_free(context) }
            var length = 0
            let initialized = Algorithms.shared.digestParameters.withUnsafeBufferPointer { parameters in
                EVP_MAC_init(context, key.bindMemory(to: UInt8.self).baseAddress, key.count, parameters.baseAddress)
            }
            guard initialized == 1,
                EVP_MAC_update(context, message.bindMemory(to: UInt8.self).baseAddress, message.count) == 1,
                EVP_MAC_final(context, out.baseAddress, &length, digestLength) == 1, length == digestLength
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
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
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
            OSSL_PARAM(key: Algorithms.makeCString("digest"), data_type: UInt32(OSSL_PARAM_UTF8_STRING),
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
