import ArgumentParser
import Control
import Foundation
import ImportSpec
import StatusModel

extension Ctl {
    /// `aurorad ctl watch NAME`: follows a spec until it is Ready or Failed.
    struct Watch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Follow a spec's phase and conditions until it is Ready (exit 0) or Failed (exit 1).",
            discussion: """
                Polls the daemon's status of the spec (its store, never AWS) every --interval seconds and prints \
                only what changed: the phase, then each condition whose status, reason or message changed. Ready or \
                Failed counts only once the status describes the spec's current generation, so watching right after \
                a submit waits for the new generation. Exits 1 when --timeout passes first or the spec disappears. \
                While the daemon does not answer (a restart), the watch keeps polling until the timeout. With \
                --json, each changed status is printed as one JSON object per line.
                """)

        @OptionGroup var options: CtlOptions
        @Argument(help: "The spec name.") var name: String
        @Option(help: "Give up after this many seconds (exit 1).") var timeout: Int = 3_600
        @Option(help: "Seconds between polls of the status.") var interval: Int = 2
        @Flag(help: "Print each changed status as one JSON object per line.") var json = false

        func validate() throws {
            guard (1...604_800).contains(timeout) else {
                throw ValidationError("--timeout must be between 1 and 604800 seconds.")
            }
            guard (1...60).contains(interval) else { throw ValidationError("--interval must be between 1 and 60.") }
        }

        func run() throws {
            let deadline = Date(timeIntervalSinceNow: Double(timeout))
            var watch = StatusWatch()
            var unreachable = false
            // Bounded by the deadline; the count bounds it too should the clock misbehave.
            for _ in 0...(timeout / interval + 1) {
                if let status = try poll(unreachable: &unreachable) {
                    report(watch.changes(status), of: status)
                    switch StatusWatch.outcome(status) {
                    case .ready?: return
                    case .failed?:
                        printError("aurorad ctl: \(name) is Failed: \(status.message ?? "see `aurorad ctl status`").")
                        throw ExitCode.failure
                    case nil: break
                    }
                }
                let left = deadline.timeIntervalSinceNow
                if left <= 0 { break }
                Thread.sleep(forTimeInterval: min(Double(interval), left))
            }
            printError(
                "aurorad ctl: \(name) is neither Ready nor Failed after \(timeout) s; "
                    + "`aurorad ctl status \(name)` shows where it stands.")
            throw ExitCode.failure
        }

        /// The spec's status, or nil while the daemon does not answer (said once on stderr).
        private func poll(unreachable: inout Bool) throws -> SpecStatus? {
            let response: ControlResponse
            do {
                response = try ControlClient(path: options.socket).send(.status(name: name))
            } catch {
                if !unreachable { printError("aurorad ctl: \(error); still watching until the timeout.") }
                unreachable = true
                return nil
            }
            unreachable = false
            do {
                return try response.get().decode(SpecStatus.self)
            } catch let error as ControlError {
                printError("aurorad ctl: \(error.message)")
                throw ExitCode.failure
            }
        }

        private func report(_ changes: [String], of status: SpecStatus) {
            guard !changes.isEmpty else { return }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                if let data = try? encoder.encode(status) { print(String(decoding: data, as: UTF8.self)) }
            } else {
                let time = Date().formatted(Date.ISO8601FormatStyle())
                for line in changes { print("\(time)  \(line)") }
            }
            // Piped output is block-buffered: flush so a reader sees each change as it happens.
            fflush(nil)
        }
    }
}
