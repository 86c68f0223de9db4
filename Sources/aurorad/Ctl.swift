import ArgumentParser
import Control
import Foundation
import ImportSpec

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
        subcommands: [Submit.self, Status.self, List.self, Delete.self, Plan.self])

    @OptionGroup var options: CtlOptions
}

/// Sends `request` to the daemon and returns its result, turning failures into messages and exit codes.
func exchange(_ request: ControlRequest, options: CtlOptions) throws -> JSONValue {
    let response: ControlResponse
    do {
        response = try ControlClient(path: options.socket).send(request)
    } catch {
        printError("aurorad ctl: \(error)")
        throw ExitCode.failure
    }
    do {
        return try response.get()
    } catch {
        printError("aurorad ctl: \(error.message)")
        for detail in error.details ?? [] { printError("  \(detail)") }
        throw error.code == .invalidSpec || error.code == .invalidRequest ? ExitCode(2) : ExitCode.failure
    }
}

/// Prints `value` as indented JSON with sorted keys.
func printJSON(_ value: JSONValue) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
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
            let name = result["name"]?.stringValue ?? "?"
            let generation = result["generation"]?.integerValue.map(String.init) ?? "?"
            let change = result["created"] == .bool(true)
                ? "created" : result["changed"] == .bool(true) ? "updated" : "unchanged"
            print("\(name) generation \(generation) (\(change))")
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
            let result = try exchange(.status(name: name), options: options)
            if json { return try printJSON(result) }
            print(try StatusRendering.status(result))
        }
    }

    /// `aurorad ctl list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every spec with its phase.")

        @OptionGroup var options: CtlOptions
        @Flag(help: "Print an array of status objects as JSON.") var json = false

        func run() throws {
            let result = try exchange(.list(), options: options)
            if json { return try printJSON(result) }
            print(try StatusRendering.list(result))
        }
    }

    /// `aurorad ctl delete NAME`.
    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a spec's AWS resources (instances, cluster, managed role), then the spec.",
            discussion: """
                Returns once deletion is requested; `aurorad ctl status NAME` follows it. A final snapshot \
                <name>-final-<UTC time> is taken unless the spec sets skip_final_snapshot. A role aurorad did \
                not create is never deleted.
                """)

        @OptionGroup var options: CtlOptions
        @Argument(help: "The spec name.") var name: String

        func run() throws {
            _ = try exchange(.delete(name: name), options: options)
            print("\(name) deletion requested")
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
