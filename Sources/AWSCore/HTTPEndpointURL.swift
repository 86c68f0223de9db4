import Foundation

/// An `http://` or `https://` URL split into the parts an `HTTPRequest` takes: the form the credential providers'
/// local endpoints (EC2 instance metadata, the container credentials endpoint) are configured in.
struct HTTPEndpointURL: Sendable, Equatable {
    /// `http` or `https`, in lower case.
    let scheme: String
    /// The host as `HTTPRequest` sends it: an IPv6 address in brackets.
    let host: String
    /// The host in lower case without IPv6 brackets, for comparing with address lists.
    let bareHost: String
    /// An explicit port, or nil for the scheme's default.
    let port: Int?
    /// The decoded path; empty when the URL has none.
    let path: String
    /// The decoded query parameters, in order.
    let query: [QueryItem]

    /// Parses `text`; nil when it is not an absolute http(s) URL with a host.
    init?(_ text: String) {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty
        else { return nil }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.scheme = scheme
        self.bareHost = bare.lowercased()
        self.host = bare.contains(":") ? "[\(bare)]" : bare
        self.port = url.port
        self.path = url.path
        self.query = (url.queryItems ?? []).map { QueryItem($0.name, $0.value ?? "") }
    }

    /// Scheme, host, port and path, without user information or query: safe for logs and `aurorad aws whoami`.
    var displayString: String {
        "\(scheme)://\(host)\(port.map { ":\($0)" } ?? "")\(path)"
    }

    /// A request for this URL's path and query.
    func request(method: String, headers: [HTTPHeader]) -> HTTPRequest {
        HTTPRequest(
            method: method, scheme: scheme, host: host, port: port, path: path.isEmpty ? "/" : path, query: query,
            headers: headers)
    }
}
