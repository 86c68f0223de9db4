import ArgumentParser
import Control

extension Ctl {
    /// `aurorad ctl events NAME`.
    struct Events: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a spec's newest events (every action and error), newest first.",
            discussion: "The daemon keeps a bounded log of events per spec; `ctl status` shows the newest 20.")

        @OptionGroup var options: CtlOptions
        @Argument(help: "The spec name.") var name: String
        @Option(help: "How many of the newest events to show.") var limit: Int = ControlRequest.defaultEventLimit
        @Flag(help: "Print an array of events ({time, type, reason, message}) as JSON.") var json = false

        func validate() throws {
            guard (1...ControlRequest.maximumEventLimit).contains(limit) else {
                throw ValidationError("--limit must be between 1 and \(ControlRequest.maximumEventLimit).")
            }
        }

        func run() throws {
            let result = try exchange(.events(name: name, limit: limit), options: options)
            if json { return try printJSON(result) }
            print(try StatusRendering.events(result))
        }
    }
}
