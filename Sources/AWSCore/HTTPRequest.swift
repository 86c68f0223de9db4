import Foundation

/// One HTTP header as sent on the wire; a list of these keeps order and repeated names, which SigV4 cares about.
public struct HTTPHeader: Sendable, Equatable {
    /// The header name, in the case it was given.
    public var name: String
    /// The header value, untrimmed.
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// One query-string parameter, decoded (not percent-encoded).
public struct QueryItem: Sendable, Equatable {
    /// The parameter name, decoded.
    public var name: String
    /// The parameter value, decoded; empty for `?key` and `?key=`.
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// An HTTP request to an AWS endpoint, in the form both the SigV4 signer and the transport read.
///
/// `path` and `query` are kept decoded so that the signer and the wire encoding are each computed once, from the
/// same data, with the same RFC 3986 rules (`AWSURIEncoding`).
public struct HTTPRequest: Sendable, Equatable {
    /// `GET`, `POST`, `PUT`, `HEAD`, `DELETE`.
    public var method: String
    /// `https` or `http` (the emulator on 127.0.0.1).
    public var scheme: String
    /// The host name, without port.
    public var host: String
    /// An explicit port, or `nil` for the scheme's default.
    public var port: Int?
    /// The decoded path, starting with `/`.
    public var path: String
    /// The decoded query parameters, in the order given.
    public var query: [QueryItem]
    /// The headers, in the order given.
    public var headers: [HTTPHeader]
    /// The body; empty for none.
    public var body: Data

    public init(
        method: String, scheme: String = "https", host: String, port: Int? = nil, path: String = "/",
        query: [QueryItem] = [], headers: [HTTPHeader] = [], body: Data = Data()
    ) {
        self.method = method
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The value of the `Host` header: the host, plus the port when it is not the scheme's default.
    public var hostHeader: String {
        guard let port, !(scheme == "https" && port == 443), !(scheme == "http" && port == 80) else { return host }
        return "\(host):\(port)"
    }

    /// The first value of the header `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// Replaces every header called `name` (case-insensitively) with one of the given value.
    public mutating func setHeader(_ name: String, _ value: String) {
        headers.removeAll { $0.name.caseInsensitiveCompare(name) == .orderedSame }
        headers.append(HTTPHeader(name, value))
    }

    /// The URL as sent: path and query percent-encoded once, with the SigV4 rules.
    public var urlString: String {
        var url = "\(scheme)://\(hostHeader)\(AWSURIEncoding.encode(path, encodeSlash: false))"
        if !query.isEmpty {
            url +=
                "?"
                + query.map { "\(AWSURIEncoding.encode($0.name))=\(AWSURIEncoding.encode($0.value))" }
                .joined(separator: "&")
        }
        return url
    }
}

/// Percent-encoding as SigV4 defines it: every byte but the RFC 3986 unreserved characters `A-Z a-z 0-9 - _ . ~`
/// is encoded as `%XY` with upper-case hex; `/` is kept only in paths.
public enum AWSURIEncoding {
    /// Encodes `string`'s UTF-8 bytes; `encodeSlash: false` keeps `/` (for paths).
    public static func encode(_ string: String, encodeSlash: Bool = true) -> String {
        var out = [UInt8]()
        append(string.utf8, encodeSlash: encodeSlash, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the encoding of `bytes` to `out`: the byte-level form the SigV4 signer builds canonical requests with.
    public static func append(_ bytes: some Sequence<UInt8>, encodeSlash: Bool = true, to out: inout [UInt8]) {
        out.reserveCapacity(out.count + bytes.underestimatedCount)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: "/") where !encodeSlash:
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)
}
