import ArgumentParser

/// Where built-in datasets' files and stores live; shared by every command that loads data.
struct DataLocationOptions: ParsableArguments {
    @Option(help: "The files of a built-in dataset when not in their default place.")
    var input: String?

    @Option(help: "The cache folder for built-in datasets' stores.")
    var cache = "data-cache"

    @Option(help: "Where the default copies of built-in datasets live.")
    var dataRoot = "../shared/data"
}
