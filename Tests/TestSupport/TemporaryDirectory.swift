import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failure to create a temporary directory.
public struct TemporaryDirectoryError: Error, CustomStringConvertible {
    /// The `errno` text from `mkdtemp`.
    public let detail: String

    /// A full sentence saying what failed.
    public var description: String {
        "Could not create a temporary directory under /tmp: \(detail); check that /tmp exists and is writable."
    }
}

/// Runs `body` with the path of a new, empty directory under /tmp, and removes the directory afterwards, also when
/// `body` throws.
///
/// The path is short (`/tmp/aurorad-XXXXXX`, about 20 bytes) so Unix socket paths built inside it stay well under the
/// ~100-byte limit.
public func withTemporaryDirectory<T>(_ body: (_ path: String) throws -> T) throws -> T {
    let path = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// The `async` form of `withTemporaryDirectory`, for tests that wait with `Task.sleep` instead of blocking a thread.
public func withTemporaryDirectory<T>(_ body: (_ path: String) async throws -> T) async throws -> T {
    let path = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// Creates `/tmp/aurorad-XXXXXX` with `mkdtemp` and returns its path.
private func makeTemporaryDirectory() throws -> String {
    var template = Array("/tmp/aurorad-XXXXXX".utf8CString)
    let created = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }
    guard let created else {
        throw TemporaryDirectoryError(detail: String(cString: strerror(errno)))
    }
    return String(cString: created)
}

/// Writes `text` to `path` (creating or replacing it), with the given POSIX permissions.
public func writeFile(_ path: String, _ text: String, permissions: Int = 0o600) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: path)
}
