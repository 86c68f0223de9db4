import Foundation

/// An HTTP response as the transport received it.
public struct HTTPResponse: Sendable, Equatable {
    /// The HTTP status code.
    public var status: Int
    /// The response headers, in order.
    public var headers: [HTTPHeader]
    /// The response body (capped by the transport).
    public var body: Data

    public init(status: Int, headers: [HTTPHeader] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of the header `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// Sends one HTTP request and blocks until the whole response has arrived or the attempt failed.
///
/// Implementations are thread-safe: Dispatch workers share one transport. A failure to get any HTTP response at all
/// (connect error, reset, timeout, oversize or truncated body) is thrown; an HTTP error status is a response.
public protocol HTTPTransport: Sendable {
    /// Sends `request`; `timeout` bounds the whole exchange (nil: the transport's default).
    func send(_ request: HTTPRequest, timeout: Duration?) throws -> HTTPResponse
}
