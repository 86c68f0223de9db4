import Control
import Foundation
import ImportSpec
import Logging
import Store
import Testing
import TestSupport

@testable import Daemon

@Suite struct SpecControlHandlerCorpusTests {
    /// The spec fuzzer's seed corpus (Fuzz/corpus/spec), valid and hostile specs alike.
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/corpus/spec")

    /// The daemon's own handler and store behind a real socket: each corpus spec a client can send (the request parser
    /// refuses the rest before any handler sees them) is stored or refused with invalid_spec, and the store still
    /// answers afterwards with exactly the valid ones.
    @Test func fuzzCorpusSubmittedOverTheSocket() throws {
        try withTemporaryDirectory { directory in
            let store = try SQLiteStore(path: directory + "/aurorad.db")
            let hooks = SpecControlHandler.SpecHooks(submitted: { _, _ in }, deletionRequested: { _ in })
            let logger = Logger(label: "spec-control-handler-tests")
            let server = ControlServer(
                path: directory + "/s.sock", handler: SpecControlHandler(store: store, hooks: hooks, logger: logger),
                logger: logger)
            try server.start()
            defer { server.stop() }
            let client = ControlClient(path: server.path, timeout: .seconds(10))

            var stored: Set<String> = []
            var refused = 0
            let files = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).sorted()
            for file in files {
                let data = try Data(contentsOf: Self.corpus.appendingPathComponent(file))
                guard let spec = try? JSONValue(decoding: data), case .object = spec else { continue }
                let response = try client.send(.submit(spec: spec))
                switch response.outcome {
                case .success(let result): stored.insert(result["name"]?.stringValue ?? "")
                case .encodedSuccess, .streamedSuccess:
                    Issue.record("\(file): a submit answered with an encoded result")
                case .failure(let error):
                    refused += 1
                    #expect(error.code == .invalidSpec, "\(file): \(error)")
                }
            }
            #expect(refused >= 4)
            #expect(stored == ["demo-s3-import", "ex-s3-import", "db1"])
            var listed: Set<String> = []
            if case .array(let entries) = try client.send(.list()).get() {
                listed = Set(entries.compactMap { $0["name"]?.stringValue })
            }
            #expect(listed == stored)
            #expect(try client.send(.status(name: "db1")).isSuccess)
        }
    }
}
