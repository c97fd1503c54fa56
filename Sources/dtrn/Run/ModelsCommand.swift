import ArgumentParser
import Foundation
import Models
import Training

/// `dtrn models`: the model zoo with parameter counts on the default (synthetic) data.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the models with a one-line description and their parameter count on the default data.",
        discussion: "n/a: the model does not apply to the default data's tasks (ESMM needs a click and a conversion task).")

    func run() throws {
        try reportingErrors {
            let schema = try DataSource().syntheticSchema()
            let layout = FeatureLayout(schema)
            var rows: [(String, String, String)] = []
            func count(_ config: ModelConfig) -> String {
                (try? ModelZoo.make(config, layout: layout, seed: 1)).map { String($0.parameterCount) } ?? "n/a"
            }
            for entry in ModelZoo.entries {
                var config = ModelConfig()
                config.model = entry.name
                if entry.name == "dtrn" {
                    for backbone in ModelZoo.dtrnBackbones {
                        config.backbone = backbone
                        rows.append(("dtrn --backbone \(backbone)", count(config), backbone == "towers" ? entry.summary : ""))
                    }
                } else {
                    rows.append((entry.name, count(config), entry.summary))
                }
            }
            let width = rows.map(\.0.count).max() ?? 0
            print("model".padding(toLength: width, withPad: " ", startingAt: 0) + "  parameters  description")
            for (name, n, summary) in rows {
                print(name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                      + String(repeating: " ", count: max(0, 10 - n.count)) + n + "  " + summary)
            }
        }
    }
}
