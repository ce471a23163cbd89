import ArgumentParser

@main
struct Marsad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "marsad",
        abstract: "Turns a folder of dropped Arabic news articles into a live feed, routed by entity over ZeroMQ.",
        discussion: """
            Start with `marsad run`: it watches ./var/spool/inbox, prints every record it publishes, \
            and stops with Ctrl-C. Drop article files (.txt, .html, .json, .jsonl) into the inbox.
            Configuration: one TOML file (see config/marsad.toml); flags override it.
            """,
        version: "0.1.0",
        subcommands: [
            RunCommand.self, IngestCommand.self, WorkerCommand.self, TailCommand.self, SearchCommand.self, EntitiesCommand.self,
            ExportCommand.self, ReplayCommand.self, StatusCommand.self, ParseCommand.self, EvalCommand.self, TrainCommand.self, CheckCommand.self,
            KeygenCommand.self, BenchCommand.self,
        ]
    )
}
