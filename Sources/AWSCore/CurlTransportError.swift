import Foundation

/// A failure to get a complete HTTP response: nothing from the server, or a response cut short or over the cap.
///
/// Descriptions name the host and libcurl's message; they never include request headers (which carry signatures
/// and session tokens) or bodies.
public struct TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, as far as retrying is concerned.
    public enum Kind: String, Sendable, Equatable {
        /// No connection could be made (refused, unreachable, DNS or proxy resolution failed).
        case connectFailed
        /// The connect or total timeout expired.
        case timedOut
        /// The connection broke while sending or receiving, or the server closed it without any response.
        case connectionReset
        /// The response body was larger than the transport's cap; the transfer was aborted.
        case tooLarge
        /// The connection ended before the whole body announced by the server had arrived.
        case truncated
        /// TLS failed: handshake, certificate verification, or the CA bundle could not be loaded.
        case tls
        /// Any other libcurl failure.
        case other
    }

    /// The failure's kind.
    public var kind: Kind
    /// The host the request was for.
    public var host: String
    /// libcurl's explanation (its error buffer, or `curl_easy_strerror`).
    public var message: String
    /// The libcurl result code, or 0 when the failure was detected by the transport itself.
    public var curlCode: Int

    public init(kind: Kind, host: String, message: String, curlCode: Int = 0) {
        self.kind = kind
        self.host = host
        self.message = message
        self.curlCode = curlCode
    }

    /// Whether the SDKs retry this failure (connection errors, timeouts and cut-short responses are transient).
    public var isTransient: Bool {
        switch kind {
        case .connectFailed, .timedOut, .connectionReset, .truncated: return true
        case .tooLarge, .tls, .other: return false
        }
    }

    public var description: String {
        let detail = "(curl: \(message))"
        switch kind {
        case .connectFailed:
            return "Could not connect to \(host) \(detail); check the endpoint, DNS, proxy settings and network access."
        case .timedOut:
            return "The request to \(host) timed out \(detail); the service or network is slow, so it may be retried."
        case .connectionReset:
            return "The connection to \(host) broke before a full response arrived \(detail); it may be retried."
        case .tooLarge:
            return "The response from \(host) exceeded the transport's size cap and was aborted \(detail); "
                + "raise the cap only if such a large response is expected."
        case .truncated:
            return "The response from \(host) ended before its announced length \(detail); it may be retried."
        case .tls:
            return "The TLS connection to \(host) failed \(detail); check the system CA bundle or the configured "
                + "CA file/path, and that the endpoint presents a valid certificate."
        case .other:
            return "The request to \(host) failed \(detail)."
        }
    }
}
