import AWSServices
import ArgumentParser
import Foundation
import Logging

/// `aurorad aws`: checks of the AWS side, run with the same settings the daemon uses.
struct AWSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aws",
        abstract: "Check the AWS identity, region and endpoints aurorad would use.",
        subcommands: [WhoAmICommand.self])
}

/// `aurorad aws whoami`: the first thing to run on a new host.
struct WhoAmICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami",
        abstract: "Print the caller's account and ARN, where the credentials came from, the region and endpoints.",
        discussion: """
            Calls STS GetCallerIdentity with the credentials the daemon would use (environment, shared files with \
            AWS_PROFILE, web identity, the ECS/EKS container endpoint, EC2 instance metadata). Nothing is changed. Exit 1 when AWS cannot be reached \
            or the credentials are refused.
            """)

    @Option(help: "AWS region; default: AWS_REGION, AWS_DEFAULT_REGION, then the profile's region.")
    var region: String?

    @Flag(help: "Print the report as JSON.") var json = false

    func run() throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        let logger = Logger(label: "aurorad")
        do {
            let client = try AWSClient(
                environment: ProcessInfo.processInfo.environment, options: AWSClientOptions(region: region),
                logger: logger)
            let report = try WhoAmI.report(client: client)
            if json {
                print(String(decoding: try report.json(), as: UTF8.self))
            } else {
                print(report.text)
            }
        } catch {
            printError("aurorad aws whoami: \(error)")
            throw ExitCode.failure
        }
    }
}
