import ArgumentParser
struct Opts: ParsableArguments { @Option var socket: String = "/run/x" }
struct Top: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "aurorad", subcommands: [Ctl.self])
}
struct Ctl: ParsableCommand {
  static let configuration = CommandConfiguration(subcommands: [Submit.self])
  @OptionGroup var opts: Opts
}
struct Submit: ParsableCommand {
  @OptionGroup(visibility: .hidden) var opts: Opts
  @Argument var file: String
  func run() { print("socket=\(opts.socket) file=\(file)") }
}
Top.main()
