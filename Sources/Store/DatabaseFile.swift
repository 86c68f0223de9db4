import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Prepares the database path before SQLite opens it: the parent directory exists and the file is mode 0600.
enum DatabaseFile {
    /// Creates the parent directory (0700) if missing, then creates the file or tightens an existing one to 0600.
    ///
    /// SQLite creates its `-wal` and `-shm` files with the database file's mode, so they inherit the 0600.
    static func prepare(path: String) throws {
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, !FileManager.default.fileExists(atPath: parent) {
            do {
                try FileManager.default.createDirectory(
                    atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StoreError.fileSystem(
                    path: parent, operation: "create the database directory", detail: "\(error.localizedDescription)")
            }
        }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode_t(0o600))
        guard fd >= 0 else {
            throw StoreError.fileSystem(path: path, operation: "open or create", detail: errnoText())
        }
        defer { close(fd) }
        guard fchmod(fd, mode_t(0o600)) == 0 else {
            throw StoreError.fileSystem(path: path, operation: "set mode 0600 on", detail: errnoText())
        }
    }

    /// The current `errno` as text.
    private static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}
