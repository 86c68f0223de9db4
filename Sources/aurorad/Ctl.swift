import ArgumentParser
import Control
import Foundation
import ImportSpec
import StatusModel

/// Options every `aurorad ctl` subcommand shares.
struct CtlOptions: ParsableArguments {
    @Option(help: "The daemon's control socket.")
    var socket: String = "/run/aurorad/aurorad.sock"
}

/// `aurorad ctl`: talks to a running daemon over its control socket.
struct Ctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Submit, inspect and delete import specs on a running daemon.",
        discussion: """
            Exit codes: 0 success; 1 the operation failed (including no daemon listening on the socket); \
            2 usage error or invalid spec.
            """,
        subcommands: [
            Submit.self, Status.self, List.self, Watch.self, Events.self, Delete.self, Restore.self, Plan.self,
        ])

    @OptionGroup var options: CtlOptions
}

/// Sends `request` to the daemon and returns its result, turning failures into messages and exit codes.
func exchange(_ request: ControlRequest, options: CtlOptions) throws -> JSONValue {
    let response = try send(request, options: options)
    return try unwrap { () throws(ControlError) in try response.get() }
}

/// Sends `request` to the daemon and prints its result as indented JSON with sorted keys; an array or object result
/// (a list) is indented as the text arrives and written piece by piece, never decoded nor held whole.
func printResultJSON(_ request: ControlRequest, options: CtlOptions) throws {
    let streamed: ControlResponse?
    do {
        let connection = try ControlClient(path: options.socket).connect()
        defer { connection.close() }
        streamed = try connection.sendIndentingResult(request, to: writeToStandardOutput)
    } catch let exit as ExitCode {
        throw exit
    } catch {
        printError("aurorad ctl: \(error)")
        throw ExitCode.failure
    }
    if let response = streamed {
        let text = try unwrap { () throws(ControlError) in try response.prettyResult() }
        try text.withUnsafeBufferPointer(writeToStandardOutput)
    }
    try [UInt8(ascii: "\n")].withUnsafeBufferPointer(writeToStandardOutput)
}

/// Writes all of `bytes` to file descriptor 1, past stdout's buffer (nothing is printed before on this path, so the
/// order holds, and a list's 20 MB are neither copied nor checked as UTF-8); a failure is printed and ends the
/// command with exit 1.
private func writeToStandardOutput(_ bytes: UnsafeBufferPointer<UInt8>) throws {
    var written = 0
    while written < bytes.count {
        let count = Glibc.write(STDOUT_FILENO, bytes.baseAddress! + written, bytes.count - written)
        if count > 0 {
            written += count
        } else if count < 0 && errno != EINTR {
            printError("aurorad ctl: cannot write the result to standard output (errno \(errno)).")
            throw ExitCode.failure
        }
    }
}

/// Sends `request` on a new connection; a failed exchange is printed and ends the command with exit 1.
private func send(_ request: ControlRequest, options: CtlOptions) throws -> ControlResponse {
    do {
        return try ControlClient(path: options.socket).send(request)
    } catch {
        printError("aurorad ctl: \(error)")
        throw ExitCode.failure
    }
}

/// The value `body` returns; the daemon's error is printed with its details and ends the command with exit 2 for
/// an invalid spec or request, else 1.
private func unwrap<T>(_ body: () throws(ControlError) -> T) throws -> T {
    do {
        return try body()
    } catch {
        printError("aurorad ctl: \(error.message)")
        for detail in error.details ?? [] { printError("  \(detail)") }
        throw error.code == .invalidSpec || error.code == .invalidRequest ? ExitCode(2) : ExitCode.failure
    }
}

/// Prints `value` as indented JSON with sorted keys.
func printJSON(_ value: JSONValue) throws {
    print(String(decoding: try JSONText.pretty(value), as: UTF8.self))
}

/// Reads a spec file into JSON, with the errors an operator can act on (exit 2).
func readSpecFile(_ path: String) throws -> JSONValue {
    let url = URL(fileURLWithPath: path)
    let data: Data
    do {
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
        guard size <= 1 << 20 else {
            printError("aurorad ctl: \(path) is \(size) bytes; a spec file may be at most 1 MiB.")
            throw ExitCode(2)
        }
        data = try Data(contentsOf: url)
    } catch let exit as ExitCode {
        throw exit
    } catch {
        printError("aurorad ctl: cannot read \(path): \(error.localizedDescription)")
        throw ExitCode(2)
    }
    do {
        return try JSONValue(decoding: data)
    } catch {
        printError("aurorad ctl: \(path) is not valid JSON (UTF-8): \(error).")
        throw ExitCode(2)
    }
}

extension Ctl {
    /// `aurorad ctl submit FILE`.
    struct Submit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or update a spec from a JSON file; prints its name and generation.",
            discussion: "An identical resubmit keeps the generation; any change increments it. See README: Spec.")

        @OptionGroup var options: CtlOptions
        @Argument(help: "The spec file (JSON, at most 1 MiB).") var file: String
        @Flag(help: "Print the daemon's answer as JSON.") var json = false

        func run() throws {
            let result = try exchange(.submit(spec: try readSpecFile(file)), options: options)
            if json { return try printJSON(result) }
            let submitted = try result.decode(SubmitResult.self)
            let change = submitted.created ? "created" : submitted.changed ? "updated" : "unchanged"
            print("\(submitted.name) generation \(submitted.generation) (\(change))")
        }
    }

    /// `aurorad ctl status NAME`.
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a spec's phase, conditions, cluster, role and recent events.")

        @OptionGroup var options: CtlOptions
        @Argument(help: "The spec name.") var name: String
        @Flag(help: "Print the status object as JSON.") var json = false

        func run() throws {
            if json { return try printResultJSON(.status(name: name), options: options) }
            print(try StatusRendering.status(try exchange(.status(name: name), options: options)))
        }
    }

    /// `aurorad ctl list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every spec with its phase.")

        @OptionGroup var options: CtlOptions
        @Option(help: "Only specs in this phase: \(Phase.allCases.map(\.rawValue).joined(separator: ", ")).")
        var phase: String?
        @Flag(help: "Print an array of status objects as JSON.") var json = false

        func validate() throws {
            if let phase, Phase(rawValue: phase) == nil {
                throw ValidationError(
                    "--phase must be one of \(Phase.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
        }

        func run() throws {
            // The daemon filters by phase; the JSON text is printed as it came, and the table asks only for the
            // members it prints (fast at 10,000 specs).
            let request = ControlRequest.list(phase: phase.flatMap(Phase.init(rawValue:)), summary: !json)
            if json { return try printResultJSON(request, options: options) }
            print(try StatusRendering.list(try exchange(request, options: options)))
        }
    }

    /// `aurorad ctl delete NAME`.
    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a spec's AWS resources (instances, cluster, managed role), then the spec.",
            discussion: """
                aurorad deletes only what it created and tagged (aurorad:managed-by=aurorad and \
                aurorad:spec=NAME): its instances, then the cluster with a final snapshot <name>-final-<UTC time> \
                unless the spec sets skip_final_snapshot, then the managed role and its inline policy, then the \
                spec. Anything else is left in place. An instance aurorad did not create keeps the cluster from \
                being deleted: `aurorad ctl status NAME` names it and says how to delete it, and the delete goes \
                on by itself once it is gone.

                On a terminal (stdin and stdout), the command first shows what would be destroyed and what is \
                left in place, from live AWS observation, and asks for confirmation: y or yes deletes, anything \
                else aborts with exit 1 and changes nothing. --yes skips the question. Without a terminal it does \
                not ask, and prints the same preview to standard error. It returns once deletion is requested; \
                `aurorad ctl status NAME` follows it.

                --keep-resources forgets the spec instead: the daemon removes it from its store (a reconcile \
                already scheduled finds it gone and stops) and makes no AWS call at all, so the cluster, its \
                instances and the role stay as they are, tags included.
                """)

        @OptionGroup var options: CtlOptions
        @Argument(help: "The spec name.") var name: String
        @Flag(name: [.customShort("y"), .long], help: "Delete without asking for confirmation.") var yes = false
        @Flag(help: "Forget the spec and leave every AWS resource as it is; no AWS call is made.")
        var keepResources = false
        @Flag(help: "Print the daemon's answer as JSON.") var json = false

        func validate() throws {
            if yes && keepResources {
                throw ValidationError("--keep-resources deletes nothing in AWS and asks nothing; drop --yes.")
            }
        }

        func run() throws {
            if keepResources {
                let result = try exchange(.forget(name: name), options: options)
                if json { return try printJSON(result) }
                print(
                    "\(name) forgotten: aurorad no longer manages it; its cluster, instances and role are left "
                        + "in AWS as they are")
                return
            }
            if !yes {
                if isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 {
                    try confirm()
                } else {
                    printPreviewToStandardError()
                }
            }
            let result = try exchange(.delete(name: name), options: options)
            if json { return try printJSON(result) }
            print("\(name) deletion requested")
        }

        /// Shows the preview and asks; throws exit 1 unless the answer is y or yes.
        private func confirm() throws {
            let preview = try exchange(.deletePreview(name: name), options: options)
            print(try StatusRendering.deletionPreview(preview, name: name))
            // On a terminal stdout is line-buffered: the lines above are out; the prompt goes out unbuffered.
            FileHandle.standardOutput.write(Data("Delete spec \(name) as shown? [y/N] ".utf8))
            let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased()
            guard answer == "y" || answer == "yes" else {
                printError("aurorad ctl: deletion of \(name) aborted; nothing was changed.")
                throw ExitCode.failure
            }
        }

        /// Without a terminal the preview is informational: failing to get it never stops the delete.
        private func printPreviewToStandardError() {
            do {
                let response = try ControlClient(path: options.socket).send(.deletePreview(name: name))
                printError(try StatusRendering.deletionPreview(try response.get(), name: name))
            } catch let error as ControlError where error.code == .notFound {
                return
            } catch {
                printError("aurorad ctl: no deletion preview (\(error)); requesting the deletion anyway.")
            }
        }
    }

    /// `aurorad ctl restore NAME`.
    struct Restore: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Restore a spec's vanished cluster again from its backup.",
            discussion: """
                When the cluster aurorad restored is deleted outside aurorad, the spec goes Failed \
                (ClusterVanished) and aurorad restores nothing on its own: the backup may be older than the data \
                that was lost. This command records the intent in the daemon's store (it survives restarts); the \
                next reconcile restores the cluster under the same identifier from the spec's backup, and the \
                intent is dropped once the new cluster is observed. It is refused, changing nothing, when the \
                cluster exists, was never restored, or the spec is being deleted.
                """)

        @OptionGroup var options: CtlOptions
        @Argument(help: "The spec name.") var name: String
        @Flag(help: "Print the daemon's answer as JSON.") var json = false

        func run() throws {
            let result = try exchange(.restore(name: name), options: options)
            if json { return try printJSON(result) }
            print("\(name) restore requested; `aurorad ctl status \(name)` follows it")
        }
    }

    /// `aurorad ctl plan FILE`.
    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Dry run: the actions submitting FILE would cause now, from live AWS observation.")

        @OptionGroup var options: CtlOptions
        @Argument(help: "The spec file (JSON).") var file: String
        @Flag(help: "Print the plan as JSON.") var json = false

        func run() throws {
            let result = try exchange(.plan(spec: try readSpecFile(file)), options: options)
            if json { return try printJSON(result) }
            print(try StatusRendering.plan(result))
        }
    }
}
