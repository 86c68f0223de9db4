import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failure to find a free TCP port on 127.0.0.1.
public struct UnusedPortError: Error, CustomStringConvertible {
    /// The failing call and its `errno` text.
    public let detail: String

    /// A full sentence saying what failed.
    public var description: String { "Could not find a free TCP port on 127.0.0.1: \(detail)." }
}

/// A TCP port on 127.0.0.1 that nothing listens on right now (bound, read, released), for "connection refused" tests.
public func unusedLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw UnusedPortError(detail: "socket() failed: \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else { throw UnusedPortError(detail: "bind to port 0 failed: \(String(cString: strerror(errno)))") }
    return Int(UInt16(bigEndian: address.sin_port))
}
