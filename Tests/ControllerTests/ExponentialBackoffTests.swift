import Controller
import Testing

@Suite struct ExponentialBackoffTests {
    @Test func doublesFromOneSecondAndCapsAtFiveMinutes() {
        let backoff = ExponentialBackoff()
        let delays = (1...12).map { _ in backoff.next(for: "a") }
        let expected: [Duration] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300].map { .seconds($0) }
        #expect(delays == expected)
        #expect(backoff.failures(for: "a") == 12)
    }

    @Test func forgetStartsTheKeyOverAndKeysAreIndependent() {
        let backoff = ExponentialBackoff(base: .milliseconds(5), max: .seconds(1))
        _ = backoff.next(for: "a")
        _ = backoff.next(for: "a")
        #expect(backoff.next(for: "b") == .milliseconds(5))
        #expect(backoff.next(for: "a") == .milliseconds(20))
        backoff.forget("a")
        #expect(backoff.failures(for: "a") == 0)
        #expect(backoff.next(for: "a") == .milliseconds(5))
        #expect(backoff.failures(for: "b") == 1)
    }

    @Test func manyFailuresStayAtTheCapWithoutOverflow() {
        let backoff = ExponentialBackoff(base: .seconds(1), max: .seconds(300))
        for _ in 1..<200 { _ = backoff.next(for: "a") }
        #expect(backoff.next(for: "a") == .seconds(300))
    }
}
