import Glibc

/// Where the metrics endpoint listens: an IPv4 address in 127.0.0.0/8 and a TCP port. The endpoint has no
/// authentication, so only loopback addresses are accepted; a scraper on another host goes through a local agent.
public struct LoopbackAddress: Equatable, Sendable, CustomStringConvertible {
    /// The dotted-quad address, e.g. `127.0.0.1`.
    public let host: String
    /// The TCP port; 0 lets the kernel choose one (tests), which `MetricsHTTPServer.port` then reports.
    public let port: UInt16

    /// `host:port` as `[metrics] listen` spells it.
    public var description: String { "\(host):\(port)" }

    /// `port` on 127.0.0.1.
    public init(port: UInt16) {
        host = "127.0.0.1"
        self.port = port
    }

    /// Parses `HOST:PORT` (HOST an IPv4 address in 127.0.0.0/8) or a bare `PORT` (on 127.0.0.1); the port is
    /// 1…65535. The error is one sentence saying what is wrong and what is accepted.
    public init(parsing text: String) throws(LoopbackAddressError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        let hostPart = parts.count == 2 ? String(parts[0]) : "127.0.0.1"
        guard parts.count <= 2, let portPart = parts.last, let port = UInt16(portPart), port > 0 else {
            throw LoopbackAddressError(
                "\"\(text)\" is not HOST:PORT or PORT; write e.g. \"127.0.0.1:9464\" (port 1…65535)")
        }
        var address = in_addr()
        guard inet_pton(AF_INET, hostPart, &address) == 1 else {
            throw LoopbackAddressError(
                "\"\(hostPart)\" is not an IPv4 address; the metrics endpoint listens on 127.0.0.1 (or 127.x.y.z)")
        }
        guard UInt32(bigEndian: address.s_addr) >> 24 == 127 else {
            throw LoopbackAddressError(
                "\(hostPart) is not a loopback address; the metrics endpoint has no authentication, so it listens "
                    + "only on 127.0.0.0/8: scrape it through a local agent or an SSH tunnel")
        }
        host = hostPart
        self.port = port
    }
}

/// A `[metrics] listen` value that cannot be used; the message says why and what to write instead.
public struct LoopbackAddressError: Error, Equatable, CustomStringConvertible {
    /// What is wrong with the value, in one sentence.
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
