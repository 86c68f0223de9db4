import CCurl
import Foundation
import Synchronization

/// Settings for `CurlTransport`.
public struct CurlTransportConfiguration: Sendable, Equatable {
    /// How long to wait for the TCP (and TLS) connection.
    public var connectTimeout: Duration
    /// The default bound on a whole exchange, when `send` is given no timeout.
    public var timeout: Duration
    /// The largest response body accepted; larger ones are aborted with `TransportError.Kind.tooLarge`.
    public var maxResponseBytes: Int
    /// A CA bundle file to verify servers with (`CURLOPT_CAINFO`); `nil` uses libcurl's built-in default.
    public var caFile: String?
    /// A directory of hashed CA certificates (`CURLOPT_CAPATH`); `nil` uses libcurl's built-in default.
    public var caPath: String?
    /// How many idle easy handles (each keeping its connections open) the pool keeps.
    public var maxIdleHandles: Int

    public init(
        connectTimeout: Duration = .seconds(10), timeout: Duration = .seconds(60),
        maxResponseBytes: Int = 16 << 20, caFile: String? = nil, caPath: String? = nil,
        maxIdleHandles: Int = 16
    ) {
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.caFile = caFile
        self.caPath = caPath
        self.maxIdleHandles = maxIdleHandles
    }
}

/// `HTTPTransport` over libcurl easy handles.
///
/// Connections are reused: each call checks an easy handle out of a pool and returns it afterwards, and an easy handle
/// keeps its connection cache across `curl_easy_reset`, so sequential calls to one host share one TCP/TLS connection
/// while concurrent callers each get their own handle. TLS peer and host verification stay on. Proxies come from
/// the environment exactly as libcurl reads them (`http_proxy`, `https_proxy`, `all_proxy`, `no_proxy`; see
/// CURLOPT_PROXY's documentation): this transport never sets or disables a proxy.
public final class CurlTransport: HTTPTransport {
    private let configuration: CurlTransportConfiguration
    private let idle = Mutex<[CurlEasyHandle]>([])

    /// Creates a transport; libcurl is initialized once per process on first use.
    public init(configuration: CurlTransportConfiguration = CurlTransportConfiguration()) {
        _ = curlGlobalInitialization
        self.configuration = configuration
    }

    public func send(_ request: HTTPRequest, timeout: Duration?) throws -> HTTPResponse {
        let handle = try checkout(host: request.host)
        defer { checkin(handle) }
        return try CurlExchange(
            handle: handle.pointer, request: request, configuration: configuration,
            timeout: timeout ?? configuration.timeout
        ).run()
    }

    /// Takes an idle handle (most recently used first, so its connection is likely still open) or makes one.
    private func checkout(host: String) throws -> CurlEasyHandle {
        if let handle = idle.withLock({ $0.popLast() }) { return handle }
        guard let pointer = curl_easy_init() else {
            throw TransportError(kind: .other, host: host, message: "curl_easy_init returned no handle")
        }
        return CurlEasyHandle(pointer: pointer)
    }

    /// Returns a handle to the pool; when the pool is full the caller's reference is the last one, so the handle and
    /// its connections are released after this returns, outside the lock.
    private func checkin(_ handle: CurlEasyHandle) {
        let maxIdle = configuration.maxIdleHandles
        idle.withLock { handles in
            if handles.count < maxIdle { handles.append(handle) }
        }
    }
}

/// `curl_global_init` must run once before any other libcurl call and is not thread-safe; a global's lazy
/// initializer runs exactly once, atomically.
private let curlGlobalInitialization: Void = {
    _ = ccurl_global_init_all()
}()

/// One libcurl easy handle, cleaned up when the last reference goes away. Used by one thread at a time (the pool hands
/// it to a single caller), which is why it can be `@unchecked Sendable`.
final class CurlEasyHandle: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer

    init(pointer: UnsafeMutableRawPointer) {
        self.pointer = pointer
    }

    deinit {
        curl_easy_cleanup(pointer)
    }
}
