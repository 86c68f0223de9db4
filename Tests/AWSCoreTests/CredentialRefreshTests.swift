import AWSCore
import Foundation
import Logging
import Synchronization
import Testing

/// An inner provider that counts fetches, can block them until released, and fails on demand.
final class CountingProvider: CredentialProvider {
    private struct State {
        var fetches = 0
        var failing = false
        var lifetime: TimeInterval = 3600
    }

    private let state = Mutex(State())
    private let clock: TestClock
    /// Signalled when a fetch starts; the fetch then waits for `release`.
    let started = DispatchSemaphore(value: 0)
    let release = DispatchSemaphore(value: 0)
    private let blocking: Bool

    init(clock: TestClock, blocking: Bool = false) {
        self.clock = clock
        self.blocking = blocking
    }

    var fetches: Int { state.withLock { $0.fetches } }
    func setFailing(_ failing: Bool) { state.withLock { $0.failing = failing } }

    var sourceDescription: String { "counting test source" }

    func credentials() throws -> AWSCredentials {
        let (count, failing, lifetime) = state.withLock {
            $0.fetches += 1
            return ($0.fetches, $0.failing, $0.lifetime)
        }
        if blocking {
            started.signal()
            guard release.wait(timeout: .now() + 20) == .success else {
                throw CredentialError(.retrievalFailed, "the test never released the fetch")
            }
        }
        if failing { throw CredentialError(.retrievalFailed, "the test source is failing (fetch \(count)).") }
        return AWSCredentials(
            accessKeyId: "ASIACOUNT\(count)", secretAccessKey: "SECRET-COUNT-\(count)",
            sessionToken: "TOKEN-COUNT-\(count)", expiration: clock.now().addingTimeInterval(lifetime))
    }
}

/// A settable clock.
final class TestClock: Sendable {
    private let instant = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    func now() -> Date { instant.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { instant.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

@Suite struct CredentialRefreshTests {
    @Test func cachesUntilTheRefreshWindowThenRefreshes() throws {
        let clock = TestClock()
        let inner = CountingProvider(clock: clock)
        let provider = RefreshingCredentialProvider(
            wrapping: inner, refreshWindow: .seconds(300), now: { clock.now() }, logger: quietLogger)
        #expect(try provider.credentials().accessKeyId == "ASIACOUNT1")
        clock.advance(3600 - 301)
        #expect(try provider.credentials().accessKeyId == "ASIACOUNT1")
        clock.advance(2)
        #expect(try provider.credentials().accessKeyId == "ASIACOUNT2")
        #expect(inner.fetches == 2)
        #expect(provider.sourceDescription == "counting test source")
    }

    @Test func credentialsWithoutExpirationAreFetchedOnce() throws {
        let calls = Mutex(0)
        struct Once: CredentialProvider {
            let calls: @Sendable () -> Void
            var sourceDescription: String { "once" }
            func credentials() throws -> AWSCredentials {
                calls()
                return AWSCredentials(accessKeyId: "AKIA", secretAccessKey: "S")
            }
        }
        let provider = RefreshingCredentialProvider(
            wrapping: Once { calls.withLock { $0 += 1 } }, logger: quietLogger)
        for _ in 0..<5 { _ = try provider.credentials() }
        #expect(calls.withLock { $0 } == 1)
    }

    /// Runs `body` on `count` dedicated threads (not the Dispatch pool, which may run them one at a time while one
    /// blocks) once all of them have started, and returns their results after they finish (bounded wait).
    private func onThreads(_ count: Int, _ body: @escaping @Sendable () -> String) -> [String] {
        let results = Mutex<[String]>([])
        let ready = DispatchGroup()
        let finished = DispatchGroup()
        let go = DispatchSemaphore(value: 0)
        for _ in 0..<count {
            ready.enter()
            finished.enter()
            Thread {
                ready.leave()
                _ = go.wait(timeout: .now() + 20)
                let result = body()
                results.withLock { $0.append(result) }
                finished.leave()
            }.start()
        }
        _ = ready.wait(timeout: .now() + 20)
        for _ in 0..<count { go.signal() }
        #expect(finished.wait(timeout: .now() + 30) == .success)
        return results.withLock { $0 }
    }

    @Test func sixteenConcurrentCallersShareOneRefresh() throws {
        let clock = TestClock()
        let inner = CountingProvider(clock: clock, blocking: true)
        let provider = RefreshingCredentialProvider(wrapping: inner, now: { clock.now() }, logger: quietLogger)
        // The first fetch is held until the other 15 callers have had time to arrive; a second fetch starting in
        // that time is the failure this test looks for.
        DispatchQueue.global().async {
            guard inner.started.wait(timeout: .now() + 20) == .success else { return }
            let deadline = Date().addingTimeInterval(0.5)
            while Date() < deadline && inner.fetches < 2 { usleep(10_000) }
            for _ in 0..<16 { inner.release.signal() }
        }
        let results = onThreads(16) { (try? provider.credentials().accessKeyId) ?? "error" }
        #expect(inner.fetches == 1)
        #expect(results == Array(repeating: "ASIACOUNT1", count: 16))
    }

    @Test func concurrentCallersInTheWindowShareOneRefreshAndKeepTheOldCredentials() throws {
        let clock = TestClock()
        let inner = CountingProvider(clock: clock)
        let provider = RefreshingCredentialProvider(wrapping: inner, now: { clock.now() }, logger: quietLogger)
        _ = try provider.credentials()
        clock.advance(3600 - 60)
        let results = onThreads(16) { (try? provider.credentials().accessKeyId) ?? "error" }
        #expect(inner.fetches == 2)
        #expect(results.count == 16 && results.allSatisfy { $0 == "ASIACOUNT1" || $0 == "ASIACOUNT2" })
        #expect(try provider.credentials().accessKeyId == "ASIACOUNT2")
    }

    @Test func failedRefreshKeepsValidCredentialsAndFailsOnceExpired() throws {
        let clock = TestClock()
        let inner = CountingProvider(clock: clock)
        let handler = RecordingLogHandler()
        let provider = RefreshingCredentialProvider(
            wrapping: inner, now: { clock.now() }, logger: Logger(label: "test") { _ in handler })
        _ = try provider.credentials()
        inner.setFailing(true)
        clock.advance(3600 - 120)
        #expect(try provider.credentials().accessKeyId == "ASIACOUNT1")
        #expect(handler.text.contains("refreshing AWS credentials failed"))
        clock.advance(121)
        let error = #expect(throws: CredentialError.self) { try provider.credentials() }
        #expect(error?.kind == .expired)
        #expect(error?.description.contains("counting test source") == true)
        for text in [handler.text, String(describing: error), String(describing: provider)] {
            #expect(!text.contains("SECRET-COUNT") && !text.contains("TOKEN-COUNT"), "\(text)")
        }
        inner.setFailing(false)
        #expect(try provider.credentials().accessKeyId == "ASIACOUNT4")
    }

    @Test func firstFetchFailureIsThrownAsIs() throws {
        let clock = TestClock()
        let inner = CountingProvider(clock: clock)
        inner.setFailing(true)
        let provider = RefreshingCredentialProvider(wrapping: inner, now: { clock.now() }, logger: quietLogger)
        let error = #expect(throws: CredentialError.self) { try provider.credentials() }
        #expect(error?.kind == .retrievalFailed)
    }
}
