import ArgumentParser

/// `aurorad`: the daemon (`run`) and its operator client (`ctl`).
@main
struct Aurorad: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aurorad",
        abstract: "Migrates MySQL into Amazon Aurora by restoring clusters from Percona XtraBackups in S3.",
        discussion: """
            aurorad is a reconciliation daemon. `aurorad run` keeps every submitted import spec converged: it \
            creates the S3 ingestion role and its policy, restores the Aurora MySQL cluster from the backup, \
            associates the role, creates the instances, and repairs drift afterwards. `aurorad ctl` submits, \
            inspects and deletes specs through the daemon's local control socket.
            """,
        version: "0.1.0",
        subcommands: [Run.self, Ctl.self, AWSCommand.self])
}
