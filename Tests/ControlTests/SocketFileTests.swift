import Foundation
import Glibc
import Logging
import Testing
import TestSupport

@testable import Control

@Suite("Control socket file")
struct SocketFileTests {
    private func makeServer(_ path: String, group: ControlSocketGroup? = nil) -> ControlServer {
        ControlServer(path: path, group: group, handler: EchoHandler(), logger: Logger(label: "control-tests"))
    }

    @Test("the socket is created with mode 0660 in a parent directory created as needed")
    func modeAndParentDirectory() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/run/aurorad/s.sock"
            let server = makeServer(path)
            try server.start()
            defer { server.stop() }
            var info = stat()
            #expect(lstat(path, &info) == 0)
            #expect(info.st_mode & S_IFMT == S_IFSOCK)
            #expect(info.st_mode & 0o777 == 0o660)
            #expect(stat(directory + "/run/aurorad", &info) == 0)
            #expect(info.st_mode & 0o777 == 0o755)
        }
    }

    @Test("the configured group owns the socket", .enabled(if: geteuid() == 0, "chown to another group needs root"))
    func socketGroup() throws {
        try withTemporaryDirectory { directory in
            let server = makeServer(directory + "/s.sock", group: .id(4242))
            try server.start()
            defer { server.stop() }
            var info = stat()
            #expect(lstat(server.path, &info) == 0)
            #expect(info.st_gid == 4242)
        }
    }

    @Test("an unknown group name is a clear start error")
    func unknownGroup() throws {
        try withTemporaryDirectory { directory in
            let server = makeServer(directory + "/s.sock", group: .name("no-such-group-aurorad"))
            #expect {
                try server.start()
            } throws: { error in
                "\(error)".contains("The socket group no-such-group-aurorad does not exist")
            }
            #expect(!FileManager.default.fileExists(atPath: server.path))
        }
    }

    @Test("a stale socket left by a crashed daemon is replaced")
    func staleSocketReplaced() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/s.sock"
            try makeStaleSocket(at: path)
            let client = ControlClient(path: path, timeout: .seconds(10))
            #expect(throws: ControlClientError.self) { try client.send(.list()) }
            let server = makeServer(path)
            try server.start()
            defer { server.stop() }
            #expect(try client.send(.list()).isSuccess)
        }
    }

    @Test("a live socket is not stolen by a second daemon")
    func liveSocketKept() throws {
        try withServer { first, client in
            let second = makeServer(first.path)
            #expect {
                try second.start()
            } throws: { error in
                "\(error)".contains("Another aurorad is listening on \(first.path)")
            }
            second.stop()
            let response = try client.send(.list())
            #expect(response.isSuccess)
        }
    }

    @Test("a file that is not a socket is refused and left alone")
    func nonSocketRefused() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/s.sock"
            try Data("keep me".utf8).write(to: URL(fileURLWithPath: path))
            #expect {
                try makeServer(path).start()
            } throws: { error in
                "\(error)".contains("\(path) exists and is not a socket")
            }
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me")
        }
    }

    @Test("a path too long for sockaddr_un is a clear error for server and client")
    func pathTooLong() throws {
        let path = "/tmp/" + String(repeating: "x", count: 120) + ".sock"
        #expect {
            try makeServer(path).start()
        } throws: { error in
            "\(error)".contains("allow at most 107")
        }
        #expect {
            try ControlClient(path: path).send(.list())
        } throws: { error in
            "\(error)".contains("allow at most 107")
        }
    }

    @Test("stop removes the socket file; afterwards the client says nobody listens; a second stop is harmless")
    func stopUnlinks() throws {
        try withTemporaryDirectory { directory in
            let server = makeServer(directory + "/s.sock")
            try server.start()
            #expect(FileManager.default.fileExists(atPath: server.path))
            server.stop()
            #expect(!FileManager.default.fileExists(atPath: server.path))
            server.stop()
            #expect(throws: ControlClientError.self) { try ControlClient(path: server.path).send(.list()) }
        }
    }

    @Test("a stopped server cannot be started again")
    func noRestart() throws {
        try withTemporaryDirectory { directory in
            let server = makeServer(directory + "/s.sock")
            try server.start()
            server.stop()
            #expect { try server.start() } throws: { error in "\(error)".contains("already started") }
        }
    }

    @Test("when nothing listens the client says so, names the path and how to start the daemon")
    func nothingListening() throws {
        try withTemporaryDirectory { directory in
            for path in [directory + "/absent.sock", directory + "/stale.sock"] {
                if path.hasSuffix("stale.sock") { try makeStaleSocket(at: path) }
                #expect {
                    try ControlClient(path: path).send(.list())
                } throws: { error in
                    "\(error)"
                        == "No aurorad is listening on \(path): is the daemon running? "
                        + "(start it with `aurorad run` or `systemctl start aurorad`)"
                }
            }
        }
    }

    @Test("permission denied names the socket's group and how to join it")
    func permissionDeniedMessage() throws {
        try withTemporaryDirectory { directory in
            let server = makeServer(directory + "/s.sock", group: .id(getegid()))
            try server.start()
            defer { server.stop() }
            let group = String(cString: try #require(getgrgid(getegid())).pointee.gr_name)
            #expect(
                ControlClientError.permissionDenied(server.path).description
                    == "Permission denied connecting to \(server.path): join the socket's group \(group) "
                    + "(for example `sudo usermod -aG \(group) $USER`, then log in again) or run as root.")
        }
    }
}
