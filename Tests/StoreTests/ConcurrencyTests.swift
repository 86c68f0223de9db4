import Dispatch
import Foundation
import StatusModel
import Synchronization
import Testing
import TestSupport

@testable import Store

/// Failures collected from worker threads, reported on the test's thread.
private final class Failures: Sendable {
    private let messages = Mutex<[String]>([])

    /// Records a failure.
    func record(_ message: String) {
        messages.withLock { $0.append(message) }
    }

    /// Everything recorded so far.
    var all: [String] { messages.withLock { $0 } }
}

/// Runs each of `jobs` on its own thread and waits (at most `timeoutSeconds`) for all of them; false on timeout.
private func runOnThreads(_ jobs: [@Sendable () -> Void], timeoutSeconds: Int = 120) -> Bool {
    let group = DispatchGroup()
    for job in jobs {
        group.enter()
        Thread {
            job()
            group.leave()
        }.start()
    }
    return group.wait(timeout: .now() + .seconds(timeoutSeconds)) == .success
}

@Suite("Concurrency")
struct ConcurrencyTests {
    @Test("4 readers read while one writer does 200 puts: no errors, generations never go backwards")
    func readersWithOneWriter() throws {
        try withStore { store, _ in
            try store.put(name: "busy", specJSON: specJSON("busy", version: 0))
            let writerDone = Atomic<Bool>(false)
            let failures = Failures()
            let finalGenerations = Mutex<[Int64]>([])
            let puts = 200

            let writer: @Sendable () -> Void = {
                defer { writerDone.store(true, ordering: .releasing) }
                for version in 1...puts {
                    do {
                        let outcome = try store.put(name: "busy", specJSON: specJSON("busy", version: version))
                        if outcome.generation != Int64(version + 1) {
                            failures.record("put \(version) returned generation \(outcome.generation)")
                        }
                    } catch {
                        failures.record("writer: \(error)")
                        return
                    }
                }
            }
            let reader: @Sendable () -> Void = {
                var last: Int64 = 0
                // Bounded in count; ends with one read made after the writer finished.
                for _ in 0..<200_000 {
                    let finished = writerDone.load(ordering: .acquiring)
                    do {
                        guard let spec = try store.spec(named: "busy"), let status = try store.status(named: "busy")
                        else {
                            failures.record("reader: spec vanished")
                            return
                        }
                        if spec.generation < last || status.generation < spec.generation {
                            failures.record("reader: generation went from \(last) to \(spec.generation)")
                        }
                        last = status.generation
                    } catch {
                        failures.record("reader: \(error)")
                        return
                    }
                    if finished { break }
                }
                finalGenerations.withLock { $0.append(last) }
            }

            #expect(runOnThreads([writer, reader, reader, reader, reader]))
            #expect(failures.all.isEmpty, "\(failures.all.prefix(5))")
            #expect(finalGenerations.withLock { $0 } == Array(repeating: Int64(puts + 1), count: 4))
        }
    }

    @Test("threads writing different specs through one store all succeed")
    func concurrentWritersOneStore() throws {
        try withStore { store, _ throws in
            let failures = Failures()
            let jobs: [@Sendable () -> Void] = (0..<4).map { thread in
                {
                    for version in 1...25 {
                        do {
                            let name = "spec-\(thread)"
                            try store.put(name: name, specJSON: specJSON(name, version: version))
                            try store.appendEvent(
                                name: "spec-\(thread)",
                                SpecEvent(time: .now(), type: .normal, reason: "Put", message: "Put \(version)."))
                        } catch {
                            failures.record("thread \(thread): \(error)")
                        }
                    }
                }
            }
            #expect(runOnThreads(jobs))
            #expect(failures.all.isEmpty, "\(failures.all.prefix(5))")
            #expect(try store.specs().map(\.generation) == [25, 25, 25, 25])
        }
    }

    @Test("two stores on one file (as two processes would) wait for each other instead of failing with SQLITE_BUSY")
    func twoStoresOneFile() throws {
        try withStore { first, path in
            let second = try SQLiteStore(path: path)
            let failures = Failures()
            let jobs: [@Sendable () -> Void] = [first, second].enumerated().map { index, store in
                {
                    for version in 1...30 {
                        do {
                            let name = "spec-\(index)"
                            try store.put(name: name, specJSON: specJSON(name, version: version))
                        } catch {
                            failures.record("store \(index): \(error)")
                        }
                    }
                }
            }
            #expect(runOnThreads(jobs))
            #expect(failures.all.isEmpty, "\(failures.all.prefix(5))")
            #expect(try first.specs().map(\.generation) == [30, 30])
            #expect(try second.spec(named: "spec-0")?.generation == 30)
        }
    }
}
